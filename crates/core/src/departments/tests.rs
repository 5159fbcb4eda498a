use super::*;

fn dept(id: i64, name: &str, prefixes: &[&str]) -> Department {
    Department {
        id: DepartmentId(id),
        site_id: SiteId(1),
        name: name.into(),
        url_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        created_at: Timestamp(0),
    }
}

fn site() -> Vec<Department> {
    vec![
        dept(1, "Sales", &["https://shop.example/buy/"]),
        dept(
            2,
            "Support",
            &["https://shop.example/", "https://help.shop.example/"],
        ),
        dept(3, "Billing", &["https://shop.example/buy/invoices/"]),
    ]
}

const SALES: Option<DepartmentId> = Some(DepartmentId(1));
const SUPPORT: Option<DepartmentId> = Some(DepartmentId(2));
const BILLING: Option<DepartmentId> = Some(DepartmentId(3));

#[test]
fn the_visitors_choice_wins_over_the_snippet_and_the_page() {
    let asked = Asked {
        choice: BILLING,
        snippet: Some("Sales"),
        page_url: Some("https://shop.example/buy/x"),
    };
    assert_eq!(pick_department(&site(), asked), BILLING);
}

#[test]
fn the_snippet_names_a_department_whatever_its_case_and_wins_over_the_page() {
    let asked = Asked {
        choice: None,
        snippet: Some("  sALES "),
        page_url: Some("https://help.shop.example/faq"),
    };
    assert_eq!(pick_department(&site(), asked), SALES);
}

#[test]
fn the_longest_matching_url_prefix_wins() {
    let on = |url: &str| {
        pick_department(
            &site(),
            Asked {
                page_url: Some(url),
                ..Asked::default()
            },
        )
    };
    assert_eq!(on("https://shop.example/buy/invoices/7"), BILLING);
    assert_eq!(on("https://shop.example/buy/shoes"), SALES);
    assert_eq!(on("https://shop.example/about"), SUPPORT);
    assert_eq!(on("https://help.shop.example/"), SUPPORT);
    assert_eq!(on("https://elsewhere.example/buy/"), None);
    assert_eq!(on("http://shop.example/buy/"), None, "the scheme counts");
}

#[test]
fn a_tie_between_equal_prefixes_goes_to_the_lowest_id() {
    let deps = vec![
        dept(5, "B", &["https://a.example/x"]),
        dept(4, "A", &["https://a.example/x"]),
    ];
    let asked = Asked {
        page_url: Some("https://a.example/x/y"),
        ..Asked::default()
    };
    assert_eq!(pick_department(&deps, asked), Some(DepartmentId(4)));
}

#[test]
fn unknown_choices_and_names_are_ignored_not_refused() {
    let asked = Asked {
        choice: Some(DepartmentId(99)),
        snippet: Some("Nobody"),
        page_url: Some("https://shop.example/buy/1"),
    };
    assert_eq!(pick_department(&site(), asked), SALES);
    assert_eq!(pick_department(&site(), Asked::default()), None);
    assert_eq!(
        pick_department(&[], asked),
        None,
        "a site without departments"
    );
    let blank = Asked {
        snippet: Some("   "),
        ..Asked::default()
    };
    assert_eq!(pick_department(&site(), blank), None);
}

#[test]
fn names_are_one_clean_line_of_at_most_80_characters() {
    assert_eq!(department_name("  Sales\n"), Ok("Sales".into()));
    assert_eq!(department_name("\u{7} \t"), Err(DepartmentError::EmptyName));
    assert_eq!(department_name(&"é".repeat(80)), Ok("é".repeat(80)));
    assert_eq!(
        department_name(&"é".repeat(81)),
        Err(DepartmentError::NameTooLong)
    );
    assert_eq!(DepartmentError::EmptyName.code(), ErrorCode::Empty);
    assert_eq!(DepartmentError::NameTooLong.code(), ErrorCode::TooLong);
}

#[test]
fn url_prefixes_are_http_urls_normalized_and_deduplicated() {
    assert_eq!(
        url_prefix(" https://Shop.Example "),
        Ok("https://shop.example/".into())
    );
    assert_eq!(
        url_prefix("http://a.example/x?y"),
        Ok("http://a.example/x?y".into())
    );
    for bad in [
        "javascript:alert(1)",
        "/relative",
        "ftp://a.example/",
        "",
        "https://",
    ] {
        let err = url_prefix(bad).expect_err(bad);
        assert_eq!(err.code(), ErrorCode::BadRequest, "{bad}");
    }
    let got = url_prefixes(&[
        "https://a.example/x".into(),
        " ".into(),
        "https://A.example/x".into(),
    ]);
    assert_eq!(got, Ok(vec!["https://a.example/x".to_string()]));
    let many: Vec<String> = (0..=PREFIXES_MAX)
        .map(|i| format!("https://a.example/{i}"))
        .collect();
    assert_eq!(url_prefixes(&many), Err(DepartmentError::TooManyPrefixes));
}

#[test]
fn visitors_are_asked_only_with_the_setting_and_two_departments() {
    let deps = site();
    assert!(ask_visitors(true, &deps));
    assert!(!ask_visitors(false, &deps));
    assert!(!ask_visitors(true, &deps[..1]));
}
