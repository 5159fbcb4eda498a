//! Send Link: resolve what the agent typed against the site's base URL, http(s) only.

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link is empty")]
    Empty,
    #[error("only http and https links can be sent")]
    Scheme,
    #[error("the link cannot be understood")]
    Invalid,
}

/// Resolves `input` against `base_url`: `order.htm` on `https://shop.example` becomes
/// `https://shop.example/order.htm`. Anything but http(s) (`javascript:`, `data:`, …) is refused.
pub fn resolve_link(base_url: &str, input: &str) -> Result<String, LinkError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(LinkError::Empty);
    }
    let base = Url::parse(base_url).map_err(|_| LinkError::Invalid)?;
    let url = base.join(input).map_err(|_| LinkError::Invalid)?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url.to_string()),
        "http" | "https" => Err(LinkError::Invalid),
        _ => Err(LinkError::Scheme),
    }
}

/// The origin (`scheme://host[:port]`) of a URL, as browsers send it in `Origin`.
pub fn origin_of(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    match url.origin() {
        url::Origin::Tuple(..) => Some(url.origin().ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

/// Does the text contain something that looks like a URL? (The console then asks
/// "Send as link?".)
pub fn find_url(text: &str) -> Option<&str> {
    text.split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_against_the_site() {
        assert_eq!(
            resolve_link("https://shop.example", "order.htm"),
            Ok("https://shop.example/order.htm".into())
        );
        assert_eq!(
            resolve_link("https://shop.example/a/b.html", "/c?x=1"),
            Ok("https://shop.example/c?x=1".into())
        );
        assert_eq!(
            resolve_link("https://shop.example/a/", "c.htm"),
            Ok("https://shop.example/a/c.htm".into())
        );
    }

    #[test]
    fn absolute_links_stay() {
        assert_eq!(
            resolve_link("https://shop.example", "http://other.example/x"),
            Ok("http://other.example/x".into())
        );
    }

    #[test]
    fn dangerous_schemes_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            " javascript:alert(1)",
        ] {
            assert_eq!(
                resolve_link("https://shop.example", bad),
                Err(LinkError::Scheme),
                "{bad}"
            );
        }
        assert_eq!(
            resolve_link("https://shop.example", "  "),
            Err(LinkError::Empty)
        );
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://shop.example/a?b"),
            Some("https://shop.example".into())
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080/demo"),
            Some("http://127.0.0.1:8080".into())
        );
        assert_eq!(origin_of("data:text/plain,x"), None);
    }

    #[test]
    fn urls_in_text() {
        assert_eq!(
            find_url("see https://x.example/a now"),
            Some("https://x.example/a")
        );
        assert_eq!(find_url("no link here"), None);
    }
}
