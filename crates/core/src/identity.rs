//! Verified visitor identity (issue 18): a site's page names its signed-in customer with
//! `Frontdesk.identify({ id, name, email, attributes, hash })`, where `hash` is the lowercase
//! hex HMAC-SHA256 of `id` keyed with the site's "Identity secret" (its text, as UTF-8 bytes).
//!
//! [`decide`] is the whole rule, with no I/O: the claim is checked against the limits
//! ([`IdentityLimits`]), the hash against the current secret and, within its grace period,
//! the previous one (in constant time: `hmac`'s `verify_slice`), and the outcome follows the
//! site setting "Require verified identity" ([`IdentitySettings`]):
//!
//! | claim | setting off | setting on |
//! |---|---|---|
//! | valid hash | [`Decision::Verified`] | [`Decision::Verified`] |
//! | no hash, or a wrong one | [`Decision::Unverified`] | [`Decision::Refused`] |
//! | over a limit, bad attribute type | [`Decision::Refused`] | [`Decision::Refused`] |
//!
//! Only a verified identity may map an external id to a visitor (the shell's merge across
//! browsers); an unverified one is shown as "Unverified" on the visitor it came with.

use crate::ids::Timestamp;
use crate::text::clean_line;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;

type HmacSha256 = Hmac<Sha256>;

/// Longest external id, in characters (longer is refused, never cut: a cut id is another id).
pub const MAX_ID_CHARS: usize = 200;
/// Longest name kept (cut, like a name typed in the widget).
pub const MAX_NAME_CHARS: usize = 200;
/// Longest email address accepted.
pub const MAX_EMAIL_CHARS: usize = 254;

/// The site setting (in the site's settings JSON, `identity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentitySettings {
    /// "Require verified identity": name, email and attributes without a valid hash are
    /// ignored (the visitor stays anonymous). Off (default): they are kept, marked unverified.
    pub require_verified: bool,
}

/// `[limits.identity]` in the server's configuration (docs/configuration.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityLimits {
    /// Most attribute keys (default 50).
    pub max_attributes: usize,
    /// Longest attribute key, in characters (default 64).
    pub key_chars: usize,
    /// Longest attribute string value, in characters (default 500).
    pub value_chars: usize,
    /// How long the previous secret stays valid after "Rotate identity secret" (default
    /// 86400 seconds: 24 hours).
    pub secret_grace_secs: u64,
}

impl Default for IdentityLimits {
    fn default() -> Self {
        IdentityLimits {
            max_attributes: 50,
            key_chars: 64,
            value_chars: 500,
            secret_grace_secs: 86_400,
        }
    }
}

/// What a page sends (`identity` in the visitor socket's `hello`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityClaim {
    /// The customer's id in the site's own system ("4411").
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Strings, numbers and booleans only.
    #[serde(default)]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
    /// Lowercase (or uppercase) hex HMAC-SHA256 of `id` with the site's identity secret.
    #[serde(default)]
    pub hash: Option<String>,
}

/// An identity as stored on a visitor and shown in Visit Detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorProfile {
    /// The customer's id in the site's system.
    pub external_id: String,
    /// True only when the hash was valid ("Verified"); false: "Unverified".
    pub verified: bool,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Key → string, number or boolean (shown as text).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// A site's identity secrets: the current one and, for a grace period after a rotation, the
/// previous one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentitySecrets {
    pub current: String,
    pub previous: Option<String>,
    /// The previous secret is valid while `now < previous_until`.
    pub previous_until: Option<Timestamp>,
}

/// Why an identity was refused (the visitor stays anonymous).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No valid hash while "Require verified identity" is on (or the site has no secret).
    NotVerified,
    /// The claim breaks a rule (said in words; nothing about the secret).
    Invalid(String),
}

/// The outcome of a claim.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Verified(VisitorProfile),
    Unverified(VisitorProfile),
    Refused(Refusal),
}

impl Decision {
    /// The word the widget hears in `welcome.identity`.
    pub fn word(&self) -> &'static str {
        match self {
            Decision::Verified(_) => "verified",
            Decision::Unverified(_) => "unverified",
            Decision::Refused(_) => "refused",
        }
    }
}

/// The hash a site's server computes: lowercase hex HMAC-SHA256 of `id` keyed with `secret`.
pub fn sign(id: &str, secret: &str) -> String {
    let mut mac = mac(secret);
    mac.update(id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `hash` (hex, either case) is the HMAC-SHA256 of `id` under `secret`, compared in
/// constant time.
pub fn hash_matches(id: &str, hash: &str, secret: &str) -> bool {
    let Ok(bytes) = hex::decode(hash.trim()) else {
        return false;
    };
    let mut mac = mac(secret);
    mac.update(id.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

fn mac(secret: &str) -> HmacSha256 {
    // HMAC takes a key of any length: this cannot fail.
    match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

/// Whether `hash` is valid for `id` under the current secret or, before `previous_until`,
/// the previous one.
pub fn verified(id: &str, hash: &str, secrets: &IdentitySecrets, now: Timestamp) -> bool {
    // Both checked always: the time taken says nothing about which one matched.
    let current = hash_matches(id, hash, &secrets.current);
    let previous = match (&secrets.previous, secrets.previous_until) {
        (Some(p), Some(until)) if now < until => hash_matches(id, hash, p),
        _ => false,
    };
    current | previous
}

/// The claim cleaned and checked against the limits: the profile it would give.
pub fn profile(claim: &IdentityClaim, limits: &IdentityLimits) -> Result<VisitorProfile, String> {
    let id = claim.id.trim();
    if id.is_empty() {
        return Err("The identity's id is empty.".into());
    }
    if id.chars().count() > MAX_ID_CHARS || id.chars().any(char::is_control) {
        return Err(format!(
            "The identity's id must be at most {MAX_ID_CHARS} characters, without control characters."
        ));
    }
    let name = claim
        .name
        .as_deref()
        .and_then(|n| clean_line(n, MAX_NAME_CHARS));
    let email = match claim
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => None,
        Some(e) if e.chars().count() <= MAX_EMAIL_CHARS && plausible_email(e) => {
            Some(e.to_string())
        }
        Some(_) => return Err("The identity's email is not an email address.".into()),
    };
    let mut attributes = BTreeMap::new();
    if let Some(map) = &claim.attributes {
        if map.len() > limits.max_attributes {
            return Err(format!(
                "At most {} attributes are kept.",
                limits.max_attributes
            ));
        }
        for (key, value) in map {
            let k = key.trim();
            if k.is_empty()
                || k.chars().count() > limits.key_chars
                || k.chars().any(char::is_control)
            {
                return Err(format!(
                    "An attribute's name must be 1 to {} characters.",
                    limits.key_chars
                ));
            }
            let v = match value {
                serde_json::Value::String(s) => {
                    if s.chars().count() > limits.value_chars {
                        return Err(format!(
                            "An attribute's value must be at most {} characters.",
                            limits.value_chars
                        ));
                    }
                    value.clone()
                }
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => value.clone(),
                _ => {
                    return Err(
                        "Attributes are strings, numbers or booleans (not null, lists or objects)."
                            .into(),
                    );
                }
            };
            attributes.insert(k.to_string(), v);
        }
    }
    Ok(VisitorProfile {
        external_id: id.to_string(),
        verified: false,
        name,
        email,
        attributes,
    })
}

fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// `hello.identity` as sent: the claim object, or its JSON text in a string (the snippet's
/// `data-visitor` attribute, sent as it is). Anything else is not a claim (said in words).
pub fn claim_from_json(value: &serde_json::Value) -> Result<IdentityClaim, String> {
    let parsed = match value {
        serde_json::Value::String(text) => {
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?
        }
        other => other.clone(),
    };
    // An object only (serde would also read a struct from a list).
    if !parsed.is_object() {
        return Err("the identity is not an object".into());
    }
    serde_json::from_value(parsed).map_err(|e| e.to_string())
}

/// The rule (see the module doc). `secrets` is `None` when the site never made one (no hash
/// can then be valid).
pub fn decide(
    claim: &IdentityClaim,
    secrets: Option<&IdentitySecrets>,
    settings: &IdentitySettings,
    limits: &IdentityLimits,
    now: Timestamp,
) -> Decision {
    let mut profile = match profile(claim, limits) {
        Ok(p) => p,
        Err(why) => return Decision::Refused(Refusal::Invalid(why)),
    };
    // The hash is of the id exactly as sent (the site's server signed that string).
    let valid = match (claim.hash.as_deref(), secrets) {
        (Some(hash), Some(secrets)) => verified(&claim.id, hash, secrets, now),
        _ => false,
    };
    if valid {
        profile.verified = true;
        Decision::Verified(profile)
    } else if settings.require_verified {
        Decision::Refused(Refusal::NotVerified)
    } else {
        Decision::Unverified(profile)
    }
}

#[cfg(test)]
mod tests;
