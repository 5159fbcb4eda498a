use super::*;

const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/// Every subset of the three scopes.
fn scope_sets() -> Vec<Vec<Scope>> {
    (0u8..8)
        .map(|bits| {
            Scope::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, s)| s)
                .collect()
        })
        .collect()
}

#[test]
fn every_method_route_and_scope_set_is_decided_by_the_table() {
    // (route template, is admin, cookie only)
    let routes = [
        ("/api/chats", false, false),
        ("/api/chats/{id}", false, false),
        ("/api/archive", false, false),
        ("/api/visitors/{site}/{visitor}", false, false),
        ("/api/me", false, false),
        ("/api/admin/sites", true, false),
        ("/api/admin/agents/{id}", true, false),
        ("/api/admin/audit", true, false),
        ("/api/admin", true, false),
        ("/api/auth/login", false, true),
        ("/api/auth/logout", false, true),
        ("/api/me/password", false, true),
        ("/api/admin/tokens", true, true),
        ("/api/admin/tokens/{id}", true, true),
    ];
    for (path, admin, cookie_only) in routes {
        for method in METHODS {
            let need = required(method, path);
            let expected = if cookie_only {
                Need::CookieOnly
            } else if admin {
                Need::Scope(Scope::Admin)
            } else if matches!(method, "GET" | "HEAD") {
                Need::Scope(Scope::Read)
            } else {
                Need::Scope(Scope::Write)
            };
            assert_eq!(need, expected, "{method} {path}");
            for set in scope_sets() {
                let ok = match expected {
                    Need::Scope(s) => set.contains(&s),
                    Need::CookieOnly => false,
                };
                assert_eq!(allows(&set, method, path), ok, "{method} {path} {set:?}");
            }
        }
    }
}

#[test]
fn look_alike_prefixes_are_not_the_admin_or_auth_area() {
    assert_eq!(
        required("GET", "/api/administrators"),
        Need::Scope(Scope::Read)
    );
    assert_eq!(required("POST", "/api/authors"), Need::Scope(Scope::Write));
    assert_eq!(
        required("GET", "/api/admin/tokensmith"),
        Need::Scope(Scope::Admin)
    );
    assert_eq!(
        required("GET", "/api/me/passwords"),
        Need::Scope(Scope::Read)
    );
}

#[test]
fn scopes_parse_dedupe_and_order() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        parse_scopes(&names(&["admin", "read", "read"])),
        Ok(vec![Scope::Read, Scope::Admin])
    );
    assert_eq!(parse_scopes(&names(&[])), Err(TokenRuleError::NoScope));
    assert_eq!(
        parse_scopes(&names(&["root"])),
        Err(TokenRuleError::UnknownScope("root".into()))
    );
    let all = vec![Scope::Read, Scope::Write, Scope::Admin];
    assert_eq!(scopes_text(&all), "read,write,admin");
    assert_eq!(
        scopes_from_text("admin,read,bogus,read"),
        vec![Scope::Read, Scope::Admin]
    );
    for s in Scope::ALL {
        assert_eq!(Scope::parse(s.as_str()), Some(s));
    }
}

#[test]
fn new_tokens_need_a_name_a_scope_a_future_expiry_and_fitting_sites() {
    let now = Timestamp(1_000);
    let read = [Scope::Read];
    let admin = [Scope::Read, Scope::Admin];
    let one = [SiteId(1)];
    assert_eq!(
        check_new("  CRM\n ", &read, None, None, now),
        Ok("CRM".into())
    );
    assert_eq!(
        check_new("  ", &read, None, None, now),
        Err(TokenRuleError::EmptyName)
    );
    assert_eq!(
        check_new("x", &[], None, None, now),
        Err(TokenRuleError::NoScope)
    );
    assert_eq!(
        check_new("x", &read, Some(Timestamp(1_000)), None, now),
        Err(TokenRuleError::ExpiryPast)
    );
    assert!(check_new("x", &read, Some(Timestamp(1_001)), Some(&one), now).is_ok());
    assert_eq!(
        check_new("x", &read, None, Some(&[]), now),
        Err(TokenRuleError::NoSite)
    );
    assert_eq!(
        check_new("x", &admin, None, Some(&one), now),
        Err(TokenRuleError::AdminNeedsAllSites)
    );
    assert!(check_new("x", &admin, None, None, now).is_ok());
    let long = "n".repeat(NAME_MAX + 50);
    assert_eq!(
        check_new(&long, &read, None, None, now).map(|n| n.chars().count()),
        Ok(NAME_MAX)
    );
}

fn token(expires: Option<i64>, revoked: Option<i64>) -> ApiToken {
    ApiToken {
        id: TokenId(1),
        name: "t".into(),
        scopes: vec![Scope::Read],
        created_by: AgentId(1),
        created_at: Timestamp(0),
        expires_at: expires.map(Timestamp),
        last_used_at: None,
        revoked_at: revoked.map(Timestamp),
        sites: None,
    }
}

#[test]
fn a_token_works_until_revoked_or_expired() {
    assert_eq!(usable(&token(None, None), Timestamp(5)), Ok(()));
    assert_eq!(usable(&token(Some(10), None), Timestamp(9)), Ok(()));
    assert_eq!(
        usable(&token(Some(10), None), Timestamp(10)),
        Err(Unusable::Expired)
    );
    assert_eq!(
        usable(&token(None, Some(3)), Timestamp(3)),
        Err(Unusable::Revoked)
    );
    assert_eq!(
        usable(&token(Some(1), Some(3)), Timestamp(5)),
        Err(Unusable::Revoked)
    );
}

#[test]
fn last_use_is_written_at_most_once_a_minute() {
    assert!(should_touch(None, Timestamp(0)));
    assert!(!should_touch(
        Some(Timestamp(0)),
        Timestamp(TOUCH_EVERY_MS - 1)
    ));
    assert!(should_touch(Some(Timestamp(0)), Timestamp(TOUCH_EVERY_MS)));
}

#[test]
fn bearer_headers_are_read_in_any_case() {
    assert_eq!(bearer("Bearer fd_abc"), Some("fd_abc"));
    assert_eq!(bearer("bearer   fd_abc "), Some("fd_abc"));
    assert_eq!(bearer("Basic dXNlcjpwYXNz"), None);
    assert_eq!(bearer("Bearer "), None);
    assert_eq!(bearer("Bearer"), None);
}

#[test]
fn sites_bind_a_token() {
    assert!(site_allowed(None, SiteId(7)));
    assert!(site_allowed(Some(&[SiteId(7)]), SiteId(7)));
    assert!(!site_allowed(Some(&[SiteId(7)]), SiteId(8)));
}
