//! Sites, agents, memberships, sessions, secrets.

use super::*;

fn m(site: SiteId, monitoring: bool) -> Membership {
    Membership {
        site_id: site,
        monitoring,
        supervisor: false,
    }
}

#[tokio::test]
async fn sites_create_read_update() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "alpha").await;
    assert_eq!(a.key, SiteKey("alpha".into()));
    assert_eq!(
        a.allowed_origins,
        vec!["https://www.alpha.example".to_string()]
    );
    assert_eq!(a.created_at, Timestamp(1_000));
    assert_eq!(s.site(a.id).await.unwrap(), a);
    assert_eq!(s.site_by_key(&SiteKey("alpha".into())).await.unwrap(), a);
    assert_eq!(s.site(SiteId(999)).await, Err(StoreError::NotFound));
    assert_eq!(
        s.site_by_key(&SiteKey("nope".into())).await,
        Err(StoreError::NotFound)
    );

    let dup = s.create_site(new_site("alpha"), Timestamp(1)).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");

    let b = site(&s, "beta").await;
    let mut changed = a.clone();
    changed.name = "Alpha Shop".into();
    changed.allowed_origins = vec![];
    changed.email = None;
    s.update_site(&changed).await.unwrap();
    assert_eq!(s.site(a.id).await.unwrap(), changed);
    let mut clash = b.clone();
    clash.key = a.key.clone();
    assert!(matches!(
        s.update_site(&clash).await,
        Err(StoreError::Conflict(_))
    ));
    let mut ghost = b.clone();
    ghost.id = SiteId(999);
    assert_eq!(s.update_site(&ghost).await, Err(StoreError::NotFound));
    let all = s.list_sites().await.unwrap();
    assert_eq!(
        all.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
}

#[tokio::test]
async fn agents_by_email_case_insensitive_and_unique() {
    let (_keep, s) = fresh().await;
    let ann = agent(&s, "Ann@Example.com", None).await;
    assert_eq!(ann.status, AgentStatus::Online);
    let (found, hash) = s.agent_by_email("ann@EXAMPLE.COM").await.unwrap();
    assert_eq!(found, ann);
    assert_eq!(hash, "hash-of-Ann@Example.com");
    let dup = NewAgent {
        email: "ANN@example.com".into(),
        name: "Other".into(),
        is_admin: true,
        password_hash: "h".into(),
        sites: None,
    };
    assert_eq!(
        s.create_agent(dup, Timestamp(3)).await,
        Err(StoreError::Conflict("email".into()))
    );
    assert_eq!(
        s.agent_by_email("bob@example.com").await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn agent_fields_update() {
    let (_keep, s) = fresh().await;
    let ann = agent(&s, "ann@example.com", None).await;
    s.set_password(ann.id, "new-hash").await.unwrap();
    s.set_admin(ann.id, true).await.unwrap();
    s.set_name(ann.id, "Annie").await.unwrap();
    s.set_status(ann.id, AgentStatus::Away).await.unwrap();
    let (a, hash) = s.agent_by_email("ann@example.com").await.unwrap();
    assert_eq!(hash, "new-hash");
    assert!(a.is_admin);
    assert_eq!(a.name, "Annie");
    assert_eq!(a.status, AgentStatus::Away);
    assert_eq!(s.agent(ann.id).await.unwrap(), a);
    let ghost = AgentId(999);
    assert_eq!(s.set_name(ghost, "x").await, Err(StoreError::NotFound));
    assert_eq!(s.set_admin(ghost, true).await, Err(StoreError::NotFound));
    assert_eq!(s.agent(ghost).await, Err(StoreError::NotFound));
    agent(&s, "bob@example.com", None).await;
    assert_eq!(s.list_agents().await.unwrap().len(), 2);
}

#[tokio::test]
async fn all_sites_agent_belongs_to_future_sites() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "a").await;
    let ann = agent(&s, "ann@example.com", None).await;
    assert_eq!(s.memberships(ann.id).await.unwrap(), vec![m(a.id, true)]);
    let b = site(&s, "b").await;
    assert_eq!(
        s.memberships(ann.id).await.unwrap(),
        vec![m(a.id, true), m(b.id, true)]
    );
    // A monitoring choice is recorded as a row; the agent still belongs everywhere.
    s.set_monitoring(ann.id, b.id, false).await.unwrap();
    let c = site(&s, "c").await;
    assert_eq!(
        s.memberships(ann.id).await.unwrap(),
        vec![m(a.id, true), m(b.id, false), m(c.id, true)]
    );
    s.set_monitoring(ann.id, b.id, true).await.unwrap();
    assert_eq!(s.memberships(ann.id).await.unwrap()[1], m(b.id, true));
    assert_eq!(s.memberships(AgentId(999)).await, Err(StoreError::NotFound));
}

#[tokio::test]
async fn supervisor_role_per_site() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "a").await;
    let b = site(&s, "b").await;
    let c = site(&s, "c").await;
    let sup = |site: SiteId, monitoring: bool| Membership {
        site_id: site,
        monitoring,
        supervisor: true,
    };
    // An agent of every site: the role is recorded as a row, monitoring stays as it was.
    let ann = agent(&s, "ann@example.com", None).await;
    s.set_monitoring(ann.id, b.id, false).await.unwrap();
    s.set_supervisor(ann.id, b.id, true).await.unwrap();
    s.set_supervisor(ann.id, a.id, true).await.unwrap();
    assert_eq!(
        s.memberships(ann.id).await.unwrap(),
        vec![sup(a.id, true), sup(b.id, false), m(c.id, true)]
    );
    s.set_supervisor(ann.id, a.id, false).await.unwrap();
    s.set_supervisor(ann.id, a.id, false).await.unwrap(); // twice is once
    assert_eq!(
        s.memberships(ann.id).await.unwrap(),
        vec![m(a.id, true), sup(b.id, false), m(c.id, true)]
    );
    // A limited agent: only where they belong; the role never adds a site.
    let bob = agent(&s, "bob@example.com", Some(vec![a.id, b.id])).await;
    s.set_supervisor(bob.id, b.id, true).await.unwrap();
    assert_eq!(
        s.set_supervisor(bob.id, c.id, true).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.memberships(bob.id).await.unwrap(),
        vec![m(a.id, true), sup(b.id, true)]
    );
    // Setting the sites keeps the role where the site stays, and it leaves with the site.
    s.set_sites(bob.id, Some(vec![b.id, c.id])).await.unwrap();
    assert_eq!(
        s.memberships(bob.id).await.unwrap(),
        vec![sup(b.id, true), m(c.id, true)]
    );
    s.set_sites(bob.id, Some(vec![c.id])).await.unwrap();
    s.set_sites(bob.id, Some(vec![b.id, c.id])).await.unwrap();
    assert_eq!(
        s.memberships(bob.id).await.unwrap(),
        vec![m(b.id, true), m(c.id, true)],
        "a site taken away and given back comes without the role"
    );
    assert_eq!(
        s.set_supervisor(AgentId(999), a.id, true).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn set_sites_keeps_monitoring_choices() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "a").await;
    let b = site(&s, "b").await;
    let c = site(&s, "c").await;
    let bob = agent(&s, "bob@example.com", Some(vec![a.id, b.id])).await;
    assert_eq!(
        s.memberships(bob.id).await.unwrap(),
        vec![m(a.id, true), m(b.id, true)]
    );
    s.set_monitoring(bob.id, b.id, false).await.unwrap();
    // Limited agents cannot gain a site by setting monitoring.
    assert_eq!(
        s.set_monitoring(bob.id, c.id, true).await,
        Err(StoreError::NotFound)
    );
    s.set_sites(bob.id, Some(vec![b.id, c.id, c.id]))
        .await
        .unwrap();
    assert_eq!(
        s.memberships(bob.id).await.unwrap(),
        vec![m(b.id, false), m(c.id, true)]
    );
    // Every site: rows stay, and still record the monitoring choice.
    s.set_sites(bob.id, None).await.unwrap();
    assert_eq!(
        s.memberships(bob.id).await.unwrap(),
        vec![m(a.id, true), m(b.id, false), m(c.id, true)]
    );
    s.set_sites(bob.id, Some(vec![])).await.unwrap();
    assert_eq!(s.memberships(bob.id).await.unwrap(), vec![]);
    assert_eq!(
        s.set_sites(bob.id, Some(vec![SiteId(999)])).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.memberships(bob.id).await.unwrap(),
        vec![],
        "failed write kept nothing"
    );
    assert_eq!(
        s.set_sites(AgentId(999), None).await,
        Err(StoreError::NotFound)
    );
    let bad = NewAgent {
        email: "carl@example.com".into(),
        name: "Carl".into(),
        is_admin: false,
        password_hash: "h".into(),
        sites: Some(vec![SiteId(999)]),
    };
    assert_eq!(
        s.create_agent(bad, Timestamp(1)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.agent_by_email("carl@example.com").await,
        Err(StoreError::NotFound),
        "the agent row was rolled back with the failed membership"
    );
}

fn session(token: &str, agent: AgentId, expires: i64) -> Session {
    Session {
        token_hash: token.into(),
        agent_id: agent,
        created_at: Timestamp(100),
        expires_at: Timestamp(expires),
    }
}

#[tokio::test]
async fn sessions_expire_and_are_deleted() {
    let (_keep, s) = fresh().await;
    let ann = agent(&s, "ann@example.com", None).await;
    let bob = agent(&s, "bob@example.com", None).await;
    s.create_session(session("t1", ann.id, 1_000))
        .await
        .unwrap();
    s.create_session(session("t2", ann.id, 1_000))
        .await
        .unwrap();
    s.create_session(session("t3", bob.id, 1_000))
        .await
        .unwrap();
    assert_eq!(
        s.session("t1", Timestamp(999)).await.unwrap(),
        session("t1", ann.id, 1_000)
    );
    assert_eq!(
        s.session("t1", Timestamp(1_000)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.session("zz", Timestamp(0)).await,
        Err(StoreError::NotFound)
    );
    assert!(matches!(
        s.create_session(session("t1", bob.id, 5)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        s.create_session(session("t9", AgentId(999), 5)).await,
        Err(StoreError::NotFound)
    );
    s.delete_session("t1").await.unwrap();
    s.delete_session("t1").await.unwrap();
    assert_eq!(
        s.session("t1", Timestamp(0)).await,
        Err(StoreError::NotFound)
    );
    s.delete_sessions_of(ann.id).await.unwrap();
    assert_eq!(
        s.session("t2", Timestamp(0)).await,
        Err(StoreError::NotFound)
    );
    assert!(s.session("t3", Timestamp(0)).await.is_ok());
}

#[tokio::test]
async fn deleting_an_agent_keeps_history() {
    let (_keep, s) = fresh().await;
    let a = site(&s, "a").await;
    let ann = agent(&s, "ann@example.com", Some(vec![a.id])).await;
    s.create_session(session("t", ann.id, 1_000)).await.unwrap();
    let own = s
        .create_canned(a.id, Some(ann.id), "Hi", "Hello!", None)
        .await
        .unwrap();
    let c = chat(&s, a.id, "v", 1).await;
    let c = s
        .update_chat_state(
            c.id,
            c.version,
            frontdesk_core::ChatState::Active { agent: ann.id },
            Timestamp(2),
        )
        .await
        .unwrap()
        .unwrap();
    s.delete_agent(ann.id).await.unwrap();
    assert_eq!(s.agent(ann.id).await, Err(StoreError::NotFound));
    assert_eq!(
        s.session("t", Timestamp(0)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(s.canned(own.id).await, Err(StoreError::NotFound));
    assert_eq!(s.chat(c.id).await.unwrap(), c);
    assert_eq!(s.delete_agent(ann.id).await, Err(StoreError::NotFound));
}

#[tokio::test]
async fn secret_is_created_once() {
    let (_keep, s) = fresh().await;
    let mut tasks = Vec::new();
    for i in 0..16u8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.secret("visitor-key", vec![i; 32]).await
        }));
    }
    let mut values = Vec::new();
    for t in tasks {
        values.push(t.await.unwrap().unwrap());
    }
    assert!(
        values.windows(2).all(|w| w[0] == w[1]),
        "everyone got the same secret"
    );
    assert_eq!(
        s.secret("visitor-key", vec![99; 32]).await.unwrap(),
        values[0]
    );
    assert_eq!(s.secret("other", vec![1, 2]).await.unwrap(), vec![1, 2]);
}
