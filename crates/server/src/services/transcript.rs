//! Transcripts: plain text, HTML (every piece of visitor text escaped), an `.eml` draft and a
//! `mailto:` link. The server keeps every chat; these are renderings of what it stored.
//!
//! A transcript as loaded holds the chat's internal notes, and the agent's own downloads (Save
//! as Text / HTML) show them marked ("[note] Note by Anna", a highlighted block in HTML).
//! Whatever may reach someone else goes through [`Transcript::without_notes`] first (the
//! `.eml` draft, the `mailto:` link, an email unless the agent asked for notes and the address
//! is not the visitor's: see `frontdesk_core::notes`).
//!
//! The visitor's own copy ("Email me this transcript") is rendered for [`Reader::Visitor`]
//! ([`Transcript::for_visitor`]): only what the widget showed them, through the same gate
//! ([`VisitorMessageView::of`]), each reply under the name they were shown, no tags or
//! wrap-up note.

use crate::error::AppResult;
use crate::state::App;
use frontdesk_core::model::{Author, Chat, Message, MessageKind, Site};
use frontdesk_core::notes::is_note;
use frontdesk_core::protocol::VisitorMessageView;
use frontdesk_core::{AgentId, ChatId, Seq, Timestamp};
use jiff::tz::TimeZone;

/// Everything a transcript shows.
pub struct Transcript {
    pub chat: Chat,
    pub site: Site,
    pub visitor_name: String,
    pub messages: Vec<Message>,
    /// Whom it is rendered for.
    pub reader: Reader,
}

/// Whom a transcript is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The chat's agents (their downloads and emails): everything stored, notes marked.
    Agent,
    /// The chat's visitor: what the widget showed them (see [`Transcript::for_visitor`]).
    Visitor,
}

impl Transcript {
    /// The same transcript without the internal notes (for anything that may reach the
    /// visitor).
    pub fn without_notes(self) -> Transcript {
        Transcript {
            messages: frontdesk_core::notes::for_visitor(self.messages),
            ..self
        }
    }

    /// The visitor's own transcript: what the widget showed them (see [`visitor_view`]).
    pub async fn for_visitor(self, app: &App) -> Transcript {
        let messages = visitor_view(app, &self.chat, self.messages).await;
        Transcript {
            messages,
            reader: Reader::Visitor,
            ..self
        }
    }
}

/// What the visitor was shown of `messages`: each one through [`VisitorMessageView::of`] (no
/// note passes), an agent's reply under the name the widget gave it: a colleague's own name
/// when the site shows all agents' names, otherwise the name of the agent who holds (or, once
/// ended, last answered) the chat.
pub async fn visitor_view(app: &App, chat: &Chat, messages: Vec<Message>) -> Vec<Message> {
    let agent_of = |m: &Message| match m.author {
        Author::Agent { agent } if m.kind.visitor_may_see() => Some(agent),
        _ => None,
    };
    let owner: Option<AgentId> = chat
        .state
        .owner()
        .or_else(|| messages.iter().rev().find_map(agent_of));
    // The team's name when the site names its agents so ("Appearance"); storage failing:
    // no name at all ("Agent"), never the agent's own by mistake.
    let owner_name = match owner {
        Some(agent) => crate::services::agent_names::for_visitor(app, chat.site_id, agent)
            .await
            .ok(),
        None => None,
    };
    let names = crate::services::agent_names::show(app, chat.site_id).await;
    messages
        .into_iter()
        .filter_map(|m| {
            let view = VisitorMessageView::of(&m, owner, names)?;
            let author_name = match m.author {
                Author::Agent { .. } => view
                    .author_name
                    .or_else(|| owner_name.clone())
                    .or_else(|| Some("Agent".to_string())),
                _ => None,
            };
            Some(Message { author_name, ..m })
        })
        .collect()
}

/// Loads the chat and all of its messages, notes included (in pages, in order).
pub async fn load(app: &App, chat: Chat) -> AppResult<Transcript> {
    let site = app.store.site(chat.site_id).await?;
    let mut messages = Vec::new();
    let mut after = Seq(0);
    loop {
        let page = app.store.messages_after(chat.id, after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        let full = page.len() < 1000;
        messages.extend(page);
        if full {
            break;
        }
    }
    Ok(Transcript {
        visitor_name: crate::services::summary::visitor_label(&chat),
        chat,
        site,
        messages,
        reader: Reader::Agent,
    })
}

/// Minimal HTML escaping for text and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn time_in(ts: Timestamp, tz: &str) -> String {
    let zone = TimeZone::get(tz).unwrap_or(TimeZone::UTC);
    match jiff::Timestamp::from_millisecond(ts.0) {
        Ok(t) => t
            .to_zoned(zone)
            .strftime("%Y-%m-%d %H:%M:%S %Z")
            .to_string(),
        Err(_) => ts.0.to_string(),
    }
}

fn who(t: &Transcript, m: &Message) -> String {
    if is_note(m) {
        return format!("Note by {}", m.author_name.as_deref().unwrap_or("an agent"));
    }
    match m.author {
        Author::Visitor if t.reader == Reader::Visitor => "You".to_string(),
        Author::Visitor => t.visitor_name.clone(),
        Author::Agent { .. } => format!("{} (agent)", m.author_name.clone().unwrap_or_default()),
        Author::System => "System".to_string(),
    }
}

/// For agents: the chat's tags and wrap-up note (issue 13), one line each, when it has them.
fn tags_block_text(chat: &Chat) -> String {
    let mut out = String::new();
    if !chat.tags.is_empty() {
        out.push_str(&format!("Tags: {}\n", chat.tags.join(", ")));
    }
    if let Some(note) = &chat.wrap_up {
        out.push_str(&format!("Wrap-up note: {note}\n"));
    }
    out
}

/// [`tags_block_text`] as HTML, escaped.
fn tags_block_html(chat: &Chat) -> String {
    let mut out = String::new();
    if !chat.tags.is_empty() {
        out.push_str(&format!(
            "<p class=\"tags\">Tags: {}</p>",
            escape_html(&chat.tags.join(", "))
        ));
    }
    if let Some(note) = &chat.wrap_up {
        out.push_str(&format!(
            "<p class=\"body wrap-up\">Wrap-up note: {}</p>",
            escape_html(note)
        ));
    }
    out
}

pub fn subject(t: &Transcript) -> String {
    if t.reader == Reader::Visitor {
        return format!("Your chat with {}", t.site.name);
    }
    format!("Chat transcript: {} on {}", t.visitor_name, t.site.name)
}

pub fn file_stem(id: ChatId) -> String {
    format!("chat-{}", id.0)
}

/// Plain text.
pub fn to_text(t: &Transcript) -> String {
    let tz = &t.site.timezone;
    let mut out = String::new();
    out.push_str(&format!(
        "Chat #{} on {} ({})\n",
        t.chat.id, t.site.name, t.site.base_url
    ));
    out.push_str(&format!("Visitor: {}\n", t.visitor_name));
    out.push_str(&format!("Started: {}\n", time_in(t.chat.created_at, tz)));
    if let Some(end) = t.chat.ended_at {
        out.push_str(&format!("Ended: {}\n", time_in(end, tz)));
    }
    if t.reader == Reader::Agent {
        out.push_str(&tags_block_text(&t.chat));
    }
    out.push_str("----------------------------------------\n");
    for m in &t.messages {
        let when = time_in(m.created_at, tz);
        match m.kind {
            MessageKind::Link => {
                out.push_str(&format!("[{when}] {} sent a link: {}\n", who(t, m), m.body))
            }
            MessageKind::Note => {
                out.push_str(&format!("[{when}] [note] {}: {}\n", who(t, m), m.body))
            }
            MessageKind::File => {
                out.push_str(&format!("[{when}] {}: {}\n", who(t, m), file_label(m)))
            }
            _ => out.push_str(&format!("[{when}] {}: {}\n", who(t, m), m.body)),
        }
    }
    out
}

/// A file message in a transcript: "[file] name (size)", never its bytes.
fn file_label(m: &Message) -> String {
    match &m.file {
        Some(f) => format!(
            "[file] {} ({})",
            f.name,
            frontdesk_core::file_serving::human_size(f.size)
        ),
        None => format!("[file] {}", m.body),
    }
}

/// HTML: a complete document; every stored string is escaped; links only http(s).
pub fn to_html(t: &Transcript) -> String {
    let tz = &t.site.timezone;
    let e = escape_html;
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
    );
    out.push_str(&format!("<title>{}</title>", e(&subject(t))));
    out.push_str(
        "<style>body{font:15px/1.4 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}\
         .m{margin:.4rem 0}.t{color:#666;font-size:.85em}.v{color:#0b5394}.a{color:#274e13}\
         .n{background:#fff4c2;color:#3d2e00;border-left:4px solid #d4a72c;padding:.3rem .6rem}\
         .n .tag{font-size:.75em;font-weight:bold;text-transform:uppercase;margin-right:.4rem}\
         p.body{white-space:pre-wrap;margin:.1rem 0 0}</style></head><body>",
    );
    out.push_str(&format!(
        "<h1>Chat #{} on {}</h1><p>Visitor: {}<br>Site: {}<br>Started: {}</p><hr>",
        t.chat.id,
        e(&t.site.name),
        e(&t.visitor_name),
        e(&t.site.base_url),
        e(&time_in(t.chat.created_at, tz))
    ));
    if t.reader == Reader::Agent {
        out.push_str(&tags_block_html(&t.chat));
    }
    for m in &t.messages {
        let class = match m.author {
            _ if is_note(m) => "n",
            Author::Visitor => "v",
            Author::Agent { .. } => "a",
            Author::System => "s",
        };
        let tag = if is_note(m) {
            "<span class=\"tag\">Internal note</span>"
        } else {
            ""
        };
        out.push_str(&format!(
            "<div class=\"m {class}\">{tag}<span class=\"t\">{}</span> <strong>{}</strong>",
            e(&time_in(m.created_at, tz)),
            e(&who(t, m))
        ));
        let safe_link = m.kind == MessageKind::Link
            && (m.body.starts_with("http://") || m.body.starts_with("https://"));
        if m.kind == MessageKind::File {
            out.push_str(&format!(
                "<p class=\"body\">{}</p></div>",
                e(&file_label(m))
            ));
        } else if safe_link {
            out.push_str(&format!(
                "<p class=\"body\">sent a link: <a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a></p></div>",
                e(&m.body)
            ));
        } else {
            out.push_str(&format!("<p class=\"body\">{}</p></div>", e(&m.body)));
        }
    }
    out.push_str("</body></html>\n");
    out
}

/// A `mailto:` link with the plain-text transcript as its body (cut to keep the URL usable).
/// Callers pass a transcript [without notes](Transcript::without_notes).
pub fn mailto(t: &Transcript, to: &str) -> String {
    let mut body = to_text(t);
    if body.chars().count() > 1800 {
        body = body.chars().take(1800).collect::<String>() + "\n…";
    }
    let enc = |s: &str| {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "mailto:{}?subject={}&body={}",
        enc(to),
        enc(&subject(t)),
        enc(&body)
    )
}
