//! Hostile bytes in, no panic out: the entry points of the fuzz targets (`fuzz/`, cargo-fuzz)
//! and of the test that replays their seed corpus on every `cargo test`
//! (`tests/it/fuzz_corpus.rs`). Each runs the same code the server runs on a frame or a body
//! from the network: the typed decoder, then the pure checks the handlers apply to the strings.

use crate::http::admin::agents::{AgentChanges, NewAgentInput};
use crate::http::admin::sites::SiteInput;
use crate::http::auth::{LoginBody, PasswordBody};
use crate::http::canned::{CannedEdit, NewCanned};
use crate::http::chats::EmailRequest;
use crate::realtime::decode::decode;
use frontdesk_core::day::validate_timezone;
use frontdesk_core::link::{find_url, origin_of, resolve_link};
use frontdesk_core::protocol::{AgentFrame, PageInfo, VisitorFrame};
use frontdesk_core::text::{check_message, clean_line, truncate};
use serde::de::DeserializeOwned;

const MAX: usize = 4000;
const BASE: &str = "https://shop.example/catalog/";

/// One WebSocket text frame from a visitor (non-UTF-8 input cannot be a text frame: skipped).
pub fn visitor_frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let frame = match decode::<VisitorFrame>(text) {
        Ok(frame) => frame,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    match frame {
        VisitorFrame::Hello { token, page, .. } => {
            page_info(&page);
            if let Some(t) = token {
                let _ = truncate(&t, 200);
            }
        }
        VisitorFrame::PageView { page } => page_info(&page),
        VisitorFrame::ChatRequest { name, email, .. } => {
            for s in [name, email].into_iter().flatten() {
                let _ = clean_line(&s, 100);
            }
        }
        VisitorFrame::Message { client_id, body } => {
            let _ = clean_line(&client_id, 64);
            text_body(&body);
        }
        other => {
            let _ = serde_json::to_string(&other);
        }
    }
}

/// One WebSocket text frame from an agent.
pub fn agent_frame(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match decode::<AgentFrame>(text) {
        Ok(AgentFrame::Message {
            client_id, body, ..
        }) => {
            let _ = clean_line(&client_id, 64);
            text_body(&body);
        }
        Ok(AgentFrame::Link { client_id, url, .. }) => {
            let _ = clean_line(&client_id, 64);
            let _ = resolve_link(BASE, &url);
        }
        Ok(other) => {
            let _ = serde_json::to_string(&other);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A REST request body: the first byte picks the endpoint's body type, the rest is the body
/// as `axum::Json` reads it (`serde_json::from_slice`), followed by the handler's checks.
pub fn rest_body(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 8 {
        0 => {
            if let Some(s) = parse::<SiteInput>(body) {
                let _ = origin_of(&s.base_url);
                let _ = resolve_link(&s.base_url, "/x");
                s.allowed_origins.iter().for_each(|o| {
                    let _ = origin_of(o);
                });
                if let Some(tz) = &s.timezone {
                    let _ = validate_timezone(tz);
                }
                let _ = clean_line(&s.name, 100);
            }
        }
        1 => {
            if let Some(a) = parse::<NewAgentInput>(body) {
                let _ = clean_line(&a.name, 100);
                let _ = clean_line(&a.email, 254);
            }
        }
        2 => {
            if let Some(a) = parse::<AgentChanges>(body) {
                a.name.iter().for_each(|n| {
                    let _ = clean_line(n, 100);
                });
            }
        }
        3 => {
            if let Some(c) = parse::<NewCanned>(body) {
                let _ = clean_line(&c.title, 100);
                text_body(&c.body);
                let _ = frontdesk_core::canned::shortcut(c.shortcut.as_deref().unwrap_or(""));
            }
        }
        4 => {
            if let Some(c) = parse::<CannedEdit>(body) {
                let _ = clean_line(&c.title, 100);
                text_body(&c.body);
                if let Some(Some(raw)) = &c.shortcut {
                    let _ = frontdesk_core::canned::shortcut(raw);
                }
            }
        }
        5 => {
            if let Some(e) = parse::<EmailRequest>(body) {
                let _ = clean_line(&e.to, 254);
            }
        }
        6 => {
            let _ = parse::<LoginBody>(body);
        }
        _ => {
            let _ = parse::<PasswordBody>(body);
        }
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_json::from_slice(body).ok()
}

fn page_info(page: &PageInfo) {
    let _ = origin_of(&page.url);
    let _ = clean_line(&page.url, 2000);
    let _ = clean_line(&page.title, 500);
    if let Some(r) = &page.referrer {
        let _ = origin_of(r);
    }
}

fn text_body(body: &str) {
    if let Ok(b) = check_message(body, MAX) {
        let _ = find_url(b);
    }
}

/// An uploaded file's bytes: the type decided from the content (archives and compound files
/// parsed from their directories), every image decoder with its header check (whatever the
/// type decided, so each decoder sees every input), and the bytes as a claimed file name.
pub fn upload(data: &[u8]) {
    use frontdesk_core::files::{display_name, download_name, examine};
    let claimed = String::from_utf8_lossy(&data[..data.len().min(600)]);
    if let Ok(sniffed) = examine(data) {
        let name = download_name(&claimed, &sniffed);
        assert!(
            !name.contains(['/', '\\']),
            "a download name with a path: {name:?}"
        );
    }
    for mime in ["image/png", "image/jpeg", "image/gif", "image/webp"] {
        if let Ok(Some(found)) = crate::files::image::inspect(data, mime) {
            assert!(found.width <= crate::files::image::MAX_SIDE);
            assert!(found.height <= crate::files::image::MAX_SIDE);
        }
    }
    let name = display_name(&claimed);
    assert!(!name.is_empty() && !name.contains(['/', '\\']), "{name:?}");
}
