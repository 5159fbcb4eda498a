//! Secrets and signatures: Argon2id password hashes, session tokens, signed visitor tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use frontdesk_core::{SiteId, VisitorId};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Hashes a password with Argon2id (default parameters: 19 MiB, 2 passes). CPU-heavy:
/// call from `spawn_blocking`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored hash. CPU-heavy: call from `spawn_blocking`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so that a wrong email costs
/// the same time as a wrong password (no user enumeration by timing).
pub fn dummy_hash() -> String {
    hash_password("frontdesk-dummy-password").unwrap_or_default()
}

/// A fresh random token (for sessions): 32 bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What storage keeps of a session token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Random bytes for a new secret key.
pub fn random_key() -> Vec<u8> {
    let mut bytes = vec![0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// Signs and checks visitor tokens: `base64(site_id.visitor_id).base64(hmac)`.
#[derive(Clone)]
pub struct VisitorTokens {
    key: Vec<u8>,
}

impl VisitorTokens {
    pub fn new(key: Vec<u8>) -> VisitorTokens {
        VisitorTokens { key }
    }

    fn mac(&self, payload: &[u8]) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.key).ok()?;
        mac.update(payload);
        Some(mac)
    }

    pub fn issue(&self, site: SiteId, visitor: &VisitorId) -> String {
        let payload = format!("{}.{}", site.0, visitor.0);
        let sig = self
            .mac(payload.as_bytes())
            .map(|m| m.finalize().into_bytes().to_vec())
            .unwrap_or_default();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload.as_bytes()),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    /// The visitor id in `token`, if the token is genuine and issued for `site`.
    pub fn verify(&self, site: SiteId, token: &str) -> Option<VisitorId> {
        let (payload_b64, sig_b64) = token.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload_b64).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(sig_b64).ok()?;
        self.mac(&payload)?.verify_slice(&sig).ok()?;
        let payload = String::from_utf8(payload).ok()?;
        let (site_part, visitor) = payload.split_once('.')?;
        if site_part.parse::<i64>().ok()? != site.0 || visitor.is_empty() {
            return None;
        }
        Some(VisitorId(visitor.to_string()))
    }

    /// The visitor id of a browser that has no token yet but made itself a random key
    /// (`browser_key` of `hello` and of the page-view beacon): the same key gives the same id,
    /// so the page views it sent by beacon before its first socket and that socket's hello are
    /// one visitor. Derived with the server's secret, so a key chooses no one else's id. A key
    /// is 16 to 64 characters of `A-Z a-z 0-9 - _`; anything else gives `None`.
    pub fn visitor_for_browser_key(&self, site: SiteId, key: &str) -> Option<VisitorId> {
        let well_formed = (16..=64).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return None;
        }
        let digest = self
            .mac(format!("browser-key.{}.{key}", site.0).as_bytes())?
            .finalize()
            .into_bytes();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        Some(VisitorId(id.to_string()))
    }
}

/// A new random visitor id.
pub fn new_visitor_id() -> VisitorId {
    VisitorId(uuid::Uuid::new_v4().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_key_names_one_visitor_per_site_and_nobody_else() {
        let tokens = VisitorTokens::new(b"0123456789abcdef0123456789abcdef".to_vec());
        let key = "k3Jd9_aQ-0ZxLmPq";
        let a = tokens
            .visitor_for_browser_key(SiteId(1), key)
            .expect("a well-formed key");
        assert_eq!(
            tokens.visitor_for_browser_key(SiteId(1), key),
            Some(a.clone())
        );
        assert_ne!(
            tokens.visitor_for_browser_key(SiteId(2), key),
            Some(a.clone())
        );
        assert_ne!(
            tokens.visitor_for_browser_key(SiteId(1), "k3Jd9_aQ-0ZxLmPr"),
            Some(a.clone())
        );
        let other = VisitorTokens::new(b"another key of thirty-two bytes!".to_vec());
        assert_ne!(
            other.visitor_for_browser_key(SiteId(1), key),
            Some(a.clone())
        );
        assert!(
            uuid::Uuid::parse_str(&a.0).is_ok(),
            "an id like the others: {a:?}"
        );
        for bad in [
            "",
            "short",
            "has space in it here",
            "ünïcödé-but-long-enough",
            &"x".repeat(65),
        ] {
            assert_eq!(
                tokens.visitor_for_browser_key(SiteId(1), bad),
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn visitor_tokens_are_bound_to_site_and_key() {
        let tokens = VisitorTokens::new(b"0123456789abcdef0123456789abcdef".to_vec());
        let v = VisitorId("abc".into());
        let t = tokens.issue(SiteId(1), &v);
        assert_eq!(tokens.verify(SiteId(1), &t), Some(v.clone()));
        assert_eq!(tokens.verify(SiteId(2), &t), None, "other site");
        let other = VisitorTokens::new(b"another key another key another!".to_vec());
        assert_eq!(other.verify(SiteId(1), &t), None, "other key");
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(b"1.victim"),
            t.split_once('.').map(|x| x.1).unwrap_or("")
        );
        assert_eq!(tokens.verify(SiteId(1), &forged), None, "forged payload");
        assert_eq!(tokens.verify(SiteId(1), "garbage"), None);
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("s3cret").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("s3cret", "not a hash"));
    }
}
