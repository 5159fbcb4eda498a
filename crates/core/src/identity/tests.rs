use super::*;
use proptest::prelude::*;
use serde_json::json;

const SECRET: &str = "s3cret-current";
const OLD: &str = "s3cret-previous";

fn claim(id: &str, hash: Option<String>) -> IdentityClaim {
    IdentityClaim {
        id: id.into(),
        name: Some("Jane Doe".into()),
        email: Some("jane@shop.example".into()),
        attributes: Some(
            json!({"plan": "Pro", "customer": 4411, "vip": true})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        ),
        hash,
    }
}

fn secrets(previous_until: Option<i64>) -> IdentitySecrets {
    IdentitySecrets {
        current: SECRET.into(),
        previous: previous_until.map(|_| OLD.into()),
        previous_until: previous_until.map(Timestamp),
    }
}

fn decide_at(c: &IdentityClaim, s: Option<&IdentitySecrets>, require: bool, now: i64) -> Decision {
    decide(
        c,
        s,
        &IdentitySettings {
            require_verified: require,
        },
        &IdentityLimits::default(),
        Timestamp(now),
    )
}

#[test]
fn sign_is_the_documented_hmac() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    assert_eq!(
        sign("what do ya want for nothing?", "Jefe"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert!(hash_matches(
        "what do ya want for nothing?",
        "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843",
        "Jefe"
    ));
}

#[test]
fn a_valid_hash_verifies_whatever_the_setting() {
    let c = claim("4411", Some(sign("4411", SECRET)));
    for require in [false, true] {
        match decide_at(&c, Some(&secrets(None)), require, 0) {
            Decision::Verified(p) => {
                assert!(p.verified);
                assert_eq!(p.external_id, "4411");
                assert_eq!(p.name.as_deref(), Some("Jane Doe"));
                assert_eq!(p.attributes["plan"], json!("Pro"));
                assert_eq!(p.attributes["customer"], json!(4411));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn forged_or_absent_hash_is_unverified_when_allowed_refused_when_required() {
    let forged = [
        Some(sign("4412", SECRET)),              // another id's hash
        Some(sign("4411", "guess")),             // another secret
        Some("00".repeat(32)),                   // right length, wrong bytes
        Some("not hex".into()),                  // garbage
        Some(sign("4411", SECRET)[..62].into()), // cut short
        None,
    ];
    for hash in forged {
        let c = claim("4411", hash.clone());
        match decide_at(&c, Some(&secrets(None)), false, 0) {
            Decision::Unverified(p) => assert!(!p.verified, "{hash:?}"),
            other => panic!("{hash:?}: {other:?}"),
        }
        assert_eq!(
            decide_at(&c, Some(&secrets(None)), true, 0),
            Decision::Refused(Refusal::NotVerified),
            "{hash:?}"
        );
    }
}

#[test]
fn without_a_secret_nothing_verifies() {
    let c = claim("4411", Some(sign("4411", "")));
    assert!(matches!(
        decide_at(&c, None, false, 0),
        Decision::Unverified(_)
    ));
    assert_eq!(
        decide_at(&c, None, true, 0),
        Decision::Refused(Refusal::NotVerified)
    );
}

#[test]
fn the_previous_secret_is_valid_only_within_its_grace_period() {
    let c = claim("4411", Some(sign("4411", OLD)));
    let s = secrets(Some(1_000));
    assert!(matches!(
        decide_at(&c, Some(&s), true, 999),
        Decision::Verified(_)
    ));
    assert_eq!(
        decide_at(&c, Some(&s), true, 1_000),
        Decision::Refused(Refusal::NotVerified)
    );
    // The new one is valid at once and after.
    let fresh = claim("4411", Some(sign("4411", SECRET)));
    assert!(matches!(
        decide_at(&fresh, Some(&s), true, 0),
        Decision::Verified(_)
    ));
    assert!(matches!(
        decide_at(&fresh, Some(&s), true, 5_000),
        Decision::Verified(_)
    ));
}

#[test]
fn attributes_are_limited_in_number_length_and_type() {
    let l = IdentityLimits::default();
    let with = |attrs: serde_json::Value| IdentityClaim {
        attributes: attrs.as_object().cloned(),
        ..claim("1", None)
    };
    let fifty: serde_json::Map<_, _> = (0..50).map(|i| (format!("k{i}"), json!(i))).collect();
    assert!(profile(&with(serde_json::Value::Object(fifty.clone())), &l).is_ok());
    let mut fifty_one = fifty;
    fifty_one.insert("k50".into(), json!(1));
    assert!(profile(&with(serde_json::Value::Object(fifty_one)), &l).is_err());

    assert!(profile(&with(json!({ "k".repeat(64): 1 })), &l).is_ok());
    assert!(profile(&with(json!({ "k".repeat(65): 1 })), &l).is_err());
    assert!(profile(&with(json!({ "": 1 })), &l).is_err());
    assert!(profile(&with(json!({ "a\u{0}b": 1 })), &l).is_err());
    assert!(profile(&with(json!({ "k": "v".repeat(500) })), &l).is_ok());
    assert!(profile(&with(json!({ "k": "v".repeat(501) })), &l).is_err());
    for bad in [json!(null), json!([1]), json!({"a": 1})] {
        assert!(profile(&with(json!({ "k": bad })), &l).is_err(), "{bad}");
    }
    // Limits are configurable.
    let tight = IdentityLimits {
        max_attributes: 1,
        key_chars: 2,
        value_chars: 3,
        ..l
    };
    assert!(profile(&with(json!({"ab": "xyz"})), &tight).is_ok());
    assert!(profile(&with(json!({"ab": "wxyz"})), &tight).is_err());
    assert!(profile(&with(json!({"abc": 1})), &tight).is_err());
    assert!(profile(&with(json!({"a": 1, "b": 2})), &tight).is_err());
}

#[test]
fn a_claim_over_a_limit_is_refused_even_with_a_valid_hash() {
    let mut c = claim("4411", Some(sign("4411", SECRET)));
    c.attributes = json!({"k": [1, 2]}).as_object().cloned();
    assert!(matches!(
        decide_at(&c, Some(&secrets(None)), false, 0),
        Decision::Refused(Refusal::Invalid(_))
    ));
}

#[test]
fn ids_names_and_emails_are_checked() {
    let l = IdentityLimits::default();
    let with_id = |id: &str| profile(&claim(id, None), &l);
    assert!(with_id("").is_err());
    assert!(with_id("   ").is_err());
    assert!(with_id(&"x".repeat(MAX_ID_CHARS)).is_ok());
    assert!(with_id(&"x".repeat(MAX_ID_CHARS + 1)).is_err());
    assert!(with_id("a\nb").is_err());
    let mut c = claim("1", None);
    c.name = Some(format!("  Ja\u{7}ne {}", "x".repeat(300)));
    let p = profile(&c, &l).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        p.name
            .as_deref()
            .is_some_and(|n| n.starts_with("Jane") && n.chars().count() <= MAX_NAME_CHARS)
    );
    for bad in ["jane", "@shop", "jane@", "ja ne@shop.example", "a@b@c"] {
        c.email = Some(bad.into());
        assert!(profile(&c, &l).is_err(), "{bad}");
    }
    c.email = Some("  ".into());
    assert_eq!(profile(&c, &l).map(|p| p.email), Ok(None));
}

#[test]
fn the_claim_refuses_unknown_fields() {
    let bad = serde_json::from_value::<IdentityClaim>(json!({"id": "1", "verified": true}));
    assert!(bad.is_err());
    let ok = serde_json::from_value::<IdentityClaim>(json!({"id": "1"}));
    assert!(ok.is_ok());
}

#[test]
fn a_claim_comes_as_an_object_or_its_json_text() {
    let object = json!({"id": "1", "hash": "ab"});
    let from_object = claim_from_json(&object);
    assert_eq!(from_object.as_ref().map(|c| c.id.as_str()), Ok("1"));
    assert_eq!(claim_from_json(&json!(object.to_string())), from_object);
    for bad in [
        json!(["1"]),
        json!("1"),
        json!("{not json"),
        json!(7),
        json!({"id": 1}),
        json!({"id": "1", "admin": true}),
        json!({"name": "no id"}),
    ] {
        assert!(claim_from_json(&bad).is_err(), "{bad}");
    }
}

#[test]
fn words_for_the_widget() {
    assert_eq!(Decision::Refused(Refusal::NotVerified).word(), "refused");
}

proptest! {
    #[test]
    fn a_signature_verifies_its_id_and_secret_only(id in "\\PC{1,40}", secret in "[A-Za-z0-9_-]{1,50}", other in "\\PC{1,40}") {
        let h = sign(&id, &secret);
        prop_assert!(hash_matches(&id, &h, &secret));
        if other != id {
            prop_assert!(!hash_matches(&other, &h, &secret));
        }
        let wrong_secret = format!("{secret}x");
        prop_assert!(!hash_matches(&id, &h, &wrong_secret));
    }

    #[test]
    fn any_flipped_digit_fails(pos in 0usize..64, id in "[a-z0-9]{1,20}") {
        let h = sign(&id, SECRET);
        let mut b = h.into_bytes();
        b[pos] = if b[pos] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(b).unwrap_or_default();
        prop_assert!(!hash_matches(&id, &flipped, SECRET));
    }
}
