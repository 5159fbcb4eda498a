//! Departments: create, rename, delete, URL prefixes, a site's list, agents' memberships both
//! ways, and a chat's department set by compare-and-set.

use super::*;
use frontdesk_core::departments::Department;

async fn department(s: &Store, site: SiteId, name: &str, prefixes: &[&str]) -> Department {
    let prefixes: Vec<String> = prefixes.iter().map(|p| p.to_string()).collect();
    s.create_department(site, name, &prefixes, Timestamp(3_000))
        .await
        .unwrap()
}

#[tokio::test]
async fn departments_create_list_rename_and_delete() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "alpha").await;
    let b = site(&s, "beta").await;
    let support = department(&s, a.id, "Support", &["https://alpha.example/help/"]).await;
    assert_eq!(support.name, "Support");
    assert_eq!(support.site_id, a.id);
    assert_eq!(support.url_prefixes, vec!["https://alpha.example/help/"]);
    assert_eq!(support.created_at, Timestamp(3_000));
    assert_eq!(s.department(support.id).await.unwrap(), support);
    let sales = department(&s, a.id, "sales", &[]).await;
    // The same name on another site is another department.
    department(&s, b.id, "Sales", &[]).await;

    let same = s
        .create_department(a.id, "SUPPORT", &[], Timestamp(1))
        .await;
    assert!(matches!(same, Err(StoreError::Conflict(_))), "{same:?}");
    let nowhere = s
        .create_department(SiteId(999), "X", &[], Timestamp(1))
        .await;
    assert_eq!(nowhere.err(), Some(StoreError::NotFound));

    let names = |ds: Vec<Department>| ds.into_iter().map(|d| d.name).collect::<Vec<_>>();
    // By name whatever its case.
    assert_eq!(
        names(s.departments_of_site(a.id).await.unwrap()),
        ["sales", "Support"]
    );

    s.rename_department(sales.id, "Sales").await.unwrap();
    let clash = s.rename_department(sales.id, "support").await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
    s.rename_department(support.id, "support").await.unwrap();
    assert_eq!(
        names(s.departments_of_site(a.id).await.unwrap()),
        ["Sales", "support"]
    );
    assert_eq!(
        s.rename_department(DepartmentId(999), "X").await,
        Err(StoreError::NotFound)
    );

    let prefixes = vec![
        "https://alpha.example/buy/".to_string(),
        "https://alpha.example/x".into(),
    ];
    s.set_url_prefixes(sales.id, &prefixes).await.unwrap();
    assert_eq!(s.department(sales.id).await.unwrap().url_prefixes, prefixes);
    s.set_url_prefixes(sales.id, &[]).await.unwrap();
    assert!(
        s.department(sales.id)
            .await
            .unwrap()
            .url_prefixes
            .is_empty()
    );
    assert_eq!(
        s.set_url_prefixes(DepartmentId(999), &[]).await,
        Err(StoreError::NotFound)
    );

    s.delete_department(sales.id).await.unwrap();
    assert_eq!(s.department(sales.id).await, Err(StoreError::NotFound));
    assert_eq!(
        s.delete_department(sales.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        names(s.departments_of_site(a.id).await.unwrap()),
        ["support"]
    );
}

#[tokio::test]
async fn agents_belong_to_any_number_of_departments() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "alpha").await;
    let ann = agent(&s, "ann@example.com", None).await;
    let bob = agent(&s, "bob@example.com", None).await;
    let sales = department(&s, a.id, "Sales", &[]).await;
    let support = department(&s, a.id, "Support", &[]).await;

    assert!(s.departments_of_agent(ann.id).await.unwrap().is_empty());
    s.set_agent_departments(ann.id, &[support.id, sales.id, sales.id])
        .await
        .unwrap();
    assert_eq!(
        s.departments_of_agent(ann.id).await.unwrap(),
        [sales.id, support.id]
    );
    s.set_department_agents(sales.id, &[bob.id, ann.id])
        .await
        .unwrap();
    assert_eq!(
        s.agents_of_department(sales.id).await.unwrap(),
        [ann.id, bob.id]
    );
    assert_eq!(s.agents_of_department(support.id).await.unwrap(), [ann.id]);

    // Exactly the given ones: the others go.
    s.set_agent_departments(ann.id, &[support.id])
        .await
        .unwrap();
    assert_eq!(s.agents_of_department(sales.id).await.unwrap(), [bob.id]);
    s.set_department_agents(support.id, &[]).await.unwrap();
    assert!(s.departments_of_agent(ann.id).await.unwrap().is_empty());

    // Unknown ids change nothing.
    let before = s.departments_of_agent(bob.id).await.unwrap();
    assert_eq!(
        s.set_agent_departments(bob.id, &[DepartmentId(999)]).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(s.departments_of_agent(bob.id).await.unwrap(), before);
    assert_eq!(
        s.set_department_agents(sales.id, &[AgentId(999)]).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(s.agents_of_department(sales.id).await.unwrap(), [bob.id]);
    assert_eq!(
        s.set_agent_departments(AgentId(999), &[]).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.set_department_agents(DepartmentId(999), &[]).await,
        Err(StoreError::NotFound)
    );

    // A deleted department, or agent, leaves no membership behind.
    s.delete_department(sales.id).await.unwrap();
    assert!(s.departments_of_agent(bob.id).await.unwrap().is_empty());
    s.set_agent_departments(bob.id, &[support.id])
        .await
        .unwrap();
    s.delete_agent(bob.id).await.unwrap();
    assert!(s.agents_of_department(support.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_chat_keeps_its_department_and_changes_it_by_compare_and_set() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "alpha").await;
    let sales = department(&s, a.id, "Sales", &[]).await;
    let support = department(&s, a.id, "Support", &[]).await;
    let new = NewChat {
        department_id: Some(sales.id),
        ..new_chat(a.id, "v1", 4_000)
    };
    let c = s.create_chat(new).await.unwrap();
    assert_eq!(c.department_id, Some(sales.id));
    assert_eq!(s.chat(c.id).await.unwrap().department_id, Some(sales.id));

    let moved = s
        .set_chat_department(c.id, c.version, Some(support.id))
        .await
        .unwrap()
        .expect("the version matched");
    assert_eq!(moved.department_id, Some(support.id));
    assert_eq!(moved.version, c.version + 1);
    assert_eq!(moved.state, c.state);
    // A stale version changes nothing.
    assert_eq!(s.set_chat_department(c.id, c.version, None).await, Ok(None));
    assert_eq!(s.chat(c.id).await.unwrap(), moved);
    let cleared = s
        .set_chat_department(c.id, moved.version, None)
        .await
        .unwrap();
    assert_eq!(cleared.map(|c| c.department_id), Some(None));
    assert_eq!(
        s.set_chat_department(ChatId(999), 1, None).await,
        Err(StoreError::NotFound)
    );
    // Deleting the department keeps the chat's history as it was.
    let d = s
        .create_chat(NewChat {
            department_id: Some(sales.id),
            ..new_chat(a.id, "v2", 4_000)
        })
        .await
        .unwrap();
    s.delete_department(sales.id).await.unwrap();
    assert_eq!(s.chat(d.id).await.unwrap().department_id, Some(sales.id));
}
