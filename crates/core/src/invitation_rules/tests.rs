#![allow(clippy::unwrap_used)]
use super::*;
use proptest::prelude::*;

fn rule(id: u32) -> InvitationRule {
    InvitationRule {
        id,
        name: format!("Rule {id}"),
        enabled: true,
        greeting: "Need help?".into(),
        url: None,
        seconds: None,
        pages: None,
        returning: false,
        referrer: None,
    }
}

fn rules(list: Vec<InvitationRule>) -> InvitationRules {
    InvitationRules { rules: list }
}

fn facts(url: &str) -> Facts<'_> {
    Facts {
        url,
        referrer: "",
        pages: 1,
        returning: false,
    }
}

#[test]
fn no_rules_is_the_default_and_sends_nothing() {
    let r: InvitationRules = serde_json::from_str("{}").unwrap();
    assert_eq!(r, InvitationRules::default());
    assert_eq!(r.validate(), Ok(()));
    assert_eq!(r.wire(), None);
    assert!(!r.needs_pages());
}

#[test]
fn only_enabled_rules_go_on_the_wire_without_their_names() {
    let mut off = rule(2);
    off.enabled = false;
    off.pages = Some(3);
    let r = rules(vec![rule(1), off]);
    let wire = r.wire().unwrap();
    assert_eq!(wire.len(), 1);
    assert_eq!(
        serde_json::to_string(&wire[0]).unwrap(),
        r#"{"id":1,"greeting":"Need help?"}"#
    );
    assert!(!r.needs_pages(), "a disabled rule needs no page count");
    assert_eq!(r.enabled(1).map(|r| r.id), Some(1));
    assert_eq!(r.enabled(2), None);
    assert_eq!(r.enabled(3), None);
    assert_eq!(rules(vec![off_rule()]).wire(), None);
}

fn off_rule() -> InvitationRule {
    InvitationRule {
        enabled: false,
        ..rule(5)
    }
}

#[test]
fn enabled_defaults_to_on_and_unknown_fields_are_refused() {
    let r: InvitationRules =
        serde_json::from_str(r#"{"rules":[{"id":1,"name":"a","greeting":"b"}]}"#).unwrap();
    assert!(r.rules[0].enabled);
    assert!(
        serde_json::from_str::<InvitationRules>(
            r#"{"rules":[{"id":1,"name":"a","greeting":"b","colour":"red"}]}"#
        )
        .is_err()
    );
}

#[test]
fn validation_names_the_rule_and_the_field() {
    use InvitationRuleError as E;
    let check = |f: &dyn Fn(&mut InvitationRule)| {
        let mut second = rule(2);
        f(&mut second);
        rules(vec![rule(1), second]).validate()
    };
    assert_eq!(check(&|_| {}), Ok(()));
    assert_eq!(check(&|r| r.id = 0), Err(E::Id { rule: 2 }));
    assert_eq!(check(&|r| r.id = 1), Err(E::Id { rule: 2 }));
    assert_eq!(check(&|r| r.name = " ".into()), Err(E::Name { rule: 2 }));
    assert_eq!(check(&|r| r.name = "a\nb".into()), Err(E::Name { rule: 2 }));
    assert_eq!(check(&|r| r.name = "é".repeat(MAX_NAME)), Ok(()));
    assert_eq!(
        check(&|r| r.name = "é".repeat(MAX_NAME + 1)),
        Err(E::Name { rule: 2 })
    );
    assert_eq!(
        check(&|r| r.greeting = String::new()),
        Err(E::Greeting { rule: 2 })
    );
    assert_eq!(
        check(&|r| r.greeting = "x".repeat(MAX_GREETING + 1)),
        Err(E::Greeting { rule: 2 })
    );
    assert_eq!(
        check(&|r| r.url = Some(String::new())),
        Err(E::Url { rule: 2 })
    );
    assert_eq!(
        check(&|r| r.url = Some("/".repeat(MAX_URL + 1))),
        Err(E::Url { rule: 2 })
    );
    assert_eq!(check(&|r| r.seconds = Some(0)), Ok(()));
    assert_eq!(check(&|r| r.seconds = Some(MAX_SECONDS)), Ok(()));
    assert_eq!(
        check(&|r| r.seconds = Some(MAX_SECONDS + 1)),
        Err(E::Seconds { rule: 2 })
    );
    assert_eq!(check(&|r| r.pages = Some(0)), Err(E::Pages { rule: 2 }));
    assert_eq!(check(&|r| r.pages = Some(MAX_PAGES)), Ok(()));
    assert_eq!(
        check(&|r| r.pages = Some(MAX_PAGES + 1)),
        Err(E::Pages { rule: 2 })
    );
    assert_eq!(
        check(&|r| r.referrer = Some(" ".into())),
        Err(E::Referrer { rule: 2 })
    );
    assert_eq!(
        check(&|r| r.referrer = Some("x".repeat(MAX_REFERRER + 1))),
        Err(E::Referrer { rule: 2 })
    );
    let many: Vec<_> = (1..=MAX_RULES as u32 + 1).map(rule).collect();
    assert_eq!(rules(many[..MAX_RULES].to_vec()).validate(), Ok(()));
    assert_eq!(rules(many).validate(), Err(E::TooMany(MAX_RULES + 1)));
    assert_eq!(
        E::Greeting { rule: 2 }.to_string(),
        "invitation rule 2: \"Greeting\" must be 1 to 500 characters"
    );
}

#[test]
fn a_pattern_without_a_star_is_a_prefix() {
    let url = "https://shop.example/checkout/pay?x=1";
    assert!(url_matches("https://shop.example/checkout", url));
    assert!(url_matches("https://shop.example/", url));
    assert!(!url_matches("https://shop.example/cart", url));
    assert!(!url_matches("http://shop.example/checkout", url));
    assert!(
        !url_matches("HTTPS://shop.example/checkout", url),
        "case-sensitive"
    );
}

#[test]
fn a_pattern_from_a_slash_is_matched_against_the_path() {
    let url = "https://shop.example/checkout/pay?x=1#top";
    assert!(url_matches("/checkout", url));
    assert!(url_matches("/", url));
    assert!(!url_matches("/pay", url));
    assert!(url_matches("/*/pay*", url));
    assert!(url_matches("/checkout/pay?x=1#top", url));
    assert!(!url_matches("/checkout/pay?x=1#top*x", url));
    assert!(url_matches("/", "https://shop.example/"));
    assert!(!url_matches("/a", "https://shop.example"));
    assert!(url_matches("/a", "/a/b"), "no scheme: the text itself");
}

#[test]
fn a_star_globs_the_whole_text() {
    let url = "https://shop.example/products/42/reviews";
    assert!(url_matches("*/products/*", url));
    assert!(url_matches("*reviews", url));
    assert!(!url_matches("*review", url), "a glob matches to the end");
    assert!(url_matches("https://*.example/*/42/*", url));
    assert!(url_matches("*", url));
    assert!(url_matches("**", url));
    assert!(!url_matches("*/cart/*", url));
    assert!(url_matches("/products/*/reviews", url));
    assert!(!url_matches("/products/*/reviews/", url));
    // The parts may not overlap: "ab*ba" needs at least "abba"'s worth.
    assert!(!url_matches("ab*ba", "aba"));
    assert!(url_matches("ab*ba", "abba"));
    assert!(url_matches("a*a*a", "aaa"));
    assert!(!url_matches("a*a*a", "aa"));
    assert!(url_matches("/é*ü", "https://x.example/éü"));
}

fn wire(f: impl Fn(&mut WireRule)) -> WireRule {
    let mut r = WireRule::of(&rule(1));
    f(&mut r);
    r
}

#[test]
fn each_condition_holds_or_not() {
    let on = |r: &WireRule, f: &Facts<'_>| due(r, f);
    let page = "https://shop.example/checkout";
    assert_eq!(on(&wire(|_| {}), &facts(page)), Some(0));
    assert_eq!(
        on(&wire(|r| r.url = Some("/checkout".into())), &facts(page)),
        Some(0)
    );
    assert_eq!(
        on(&wire(|r| r.url = Some("/cart".into())), &facts(page)),
        None
    );
    assert_eq!(on(&wire(|r| r.seconds = Some(30)), &facts(page)), Some(30));
    let three = Facts {
        pages: 3,
        ..facts(page)
    };
    assert_eq!(on(&wire(|r| r.pages = Some(3)), &three), Some(0));
    assert_eq!(on(&wire(|r| r.pages = Some(4)), &three), None);
    let back = Facts {
        returning: true,
        ..facts(page)
    };
    assert_eq!(on(&wire(|r| r.returning = true), &back), Some(0));
    assert_eq!(on(&wire(|r| r.returning = true), &facts(page)), None);
    let from = Facts {
        referrer: "https://www.google.com/search?q=shoes",
        ..facts(page)
    };
    let google = wire(|r| r.referrer = Some("google.".into()));
    assert_eq!(on(&google, &from), Some(0));
    assert_eq!(on(&google, &facts(page)), None, "no referrer");
    assert_eq!(
        on(&wire(|r| r.referrer = Some("Google".into())), &from),
        None,
        "case-sensitive"
    );
    // All that are set must hold.
    let all = wire(|r| {
        r.url = Some("/checkout".into());
        r.seconds = Some(5);
        r.pages = Some(2);
        r.returning = true;
        r.referrer = Some("google".into());
    });
    let every = Facts {
        url: page,
        referrer: "https://google.com/",
        pages: 2,
        returning: true,
    };
    assert_eq!(on(&all, &every), Some(5));
    for f in [
        Facts {
            url: "https://shop.example/",
            ..every.clone()
        },
        Facts {
            referrer: "",
            ..every.clone()
        },
        Facts {
            pages: 1,
            ..every.clone()
        },
        Facts {
            returning: false,
            ..every.clone()
        },
    ] {
        assert_eq!(on(&all, &f), None, "{f:?}");
    }
}

#[test]
fn the_soonest_rule_fires_and_the_earlier_on_a_tie() {
    let page = facts("https://shop.example/checkout");
    let a = wire(|r| {
        r.id = 1;
        r.seconds = Some(20);
    });
    let b = wire(|r| {
        r.id = 2;
        r.seconds = Some(10);
    });
    let c = wire(|r| {
        r.id = 3;
        r.seconds = Some(10);
    });
    let never = wire(|r| {
        r.id = 4;
        r.url = Some("/nowhere".into());
    });
    let list = [a.clone(), b, c, never.clone()];
    let (fired, after) = next_invitation(&list, &page).unwrap();
    assert_eq!((fired.id, after), (2, 10));
    assert_eq!(next_invitation(std::slice::from_ref(&never), &page), None);
    assert_eq!(next_invitation(&[], &page), None);
    assert_eq!(
        next_invitation(&[never, a], &page).map(|(r, s)| (r.id, s)),
        Some((1, 20))
    );
}

#[test]
fn welcome_rules_serialise_small() {
    let w = WireRules {
        rules: vec![wire(|r| {
            r.url = Some("/checkout*".into());
            r.seconds = Some(30);
            r.returning = true;
        })],
        pages: Some(2),
        returning: false,
    };
    assert_eq!(
        serde_json::to_string(&w).unwrap(),
        r#"{"rules":[{"id":1,"greeting":"Need help?","url":"/checkout*","seconds":30,"returning":true}],"pages":2,"returning":false}"#
    );
}

/// A plain glob, character by character (the reference the fast one is checked against).
fn reference_glob(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| reference_glob(rest, &t[i..])),
        Some((c, rest)) => t.first() == Some(c) && reference_glob(rest, &t[1..]),
    }
}

proptest! {
    #[test]
    fn glob_agrees_with_the_reference(p in "[ab*/é]{0,7}", t in "[ab/é]{0,9}") {
        let pc: Vec<char> = p.chars().collect();
        let tc: Vec<char> = t.chars().collect();
        let expected = if p.contains('*') {
            reference_glob(&pc, &tc)
        } else {
            t.starts_with(p.as_str())
        };
        prop_assert_eq!(glob(&p, &t), expected);
    }

    #[test]
    fn a_rule_with_no_condition_fires_at_once_anywhere(url in ".{0,40}", pages in 0u32..5, returning: bool) {
        let f = Facts { url: &url, referrer: "", pages, returning };
        prop_assert_eq!(due(&wire(|_| {}), &f), Some(0));
    }

    #[test]
    fn more_pages_never_stop_a_rule(n in 1u32..20, pages in 0u32..40) {
        let r = wire(|r| r.pages = Some(n));
        let f = |pages| Facts { url: "https://x.example/", referrer: "", pages, returning: false };
        if due(&r, &f(pages)).is_some() {
            prop_assert!(due(&r, &f(pages + 1)).is_some());
        }
    }
}
