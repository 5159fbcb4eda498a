//! Keeps `docs/protocol.md` honest: every example frame in it decodes into the protocol type of
//! its section, and every example the server sends reads back exactly as the server would write
//! it (no field missing, none extra, none renamed).
//!
//! Examples are the ```json blocks and the "Example" column of the frame tables. Which type an
//! example must be is decided by the section it is in: §4.2 `VisitorFrame`, §4.3 `ToVisitor`
//! (§4.1 holds one of each: `hello` and `welcome`), §5.2 `AgentFrame`, §5.1/§5.3 `ToAgent`, §3 (answers on either socket) both
//! server types, and the shared objects of §6 their own type. The doc shortens nested objects as
//! `{ChatSummary}`, `[AgentMessageView…]`, `[VisitorMessageView…]` and `…VisitorOnSite`; those
//! are filled in from the doc's own examples of those objects before decoding.

use frontdesk_core::protocol::{
    AgentFrame, PageInfo, ToAgent, ToVisitor, VisitorFrame, VisitorOnSite,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

const DOC: &str = include_str!("../../../docs/protocol.md");

/// The types an example may have to be.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    VisitorFrame,
    ToVisitor,
    /// §4.1, the first exchange: the visitor's `hello`, then the server's `welcome`.
    HelloWelcome,
    AgentFrame,
    ToAgent,
    /// An answer (`ack`, `error`) that either socket sends.
    Answer,
    PageInfo,
    VisitorOnSite,
}

/// The type of the examples under a heading, by the heading's start.
const SECTIONS: &[(&str, Kind)] = &[
    ("## 3. ", Kind::Answer),
    ("### 4.1 ", Kind::HelloWelcome),
    ("### 4.2 ", Kind::VisitorFrame),
    ("### 4.3 ", Kind::ToVisitor),
    ("### 5.1 ", Kind::ToAgent),
    ("### 5.2 ", Kind::AgentFrame),
    ("### 5.3 ", Kind::ToAgent),
    ("### 5.5 ", Kind::AgentFrame),
    ("### 5.6 ", Kind::AgentFrame),
    ("### PageInfo", Kind::PageInfo),
    ("### VisitorOnSite", Kind::VisitorOnSite),
];

/// One example: where it is (for the failure message), what it must be, its text, and for a
/// table row the frame type named in the row's first column.
#[derive(Debug)]
struct Example {
    line: usize,
    heading: String,
    kind: Option<Kind>,
    text: String,
    row_type: Option<String>,
}

impl Example {
    fn name(&self) -> String {
        format!(
            "docs/protocol.md:{} (under {:?}): {}",
            self.line, self.heading, self.text
        )
    }
}

fn kind_of(heading: &str) -> Option<Kind> {
    SECTIONS
        .iter()
        .find(|(start, _)| heading.starts_with(start))
        .map(|&(_, kind)| kind)
}

/// Every example of the doc, in order. A ```json block holding several lines that each start
/// with `{"type"` is one example per line (one frame per line); any other block is one example.
fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut block: Option<(usize, String)> = None;
    for (i, line) in DOC.lines().enumerate() {
        let n = i + 1;
        if let Some((start, text)) = block.as_mut() {
            if line.trim_start().starts_with("```") {
                let (start, text) = (*start, std::mem::take(text));
                block = None;
                let frames: Vec<&str> = text.lines().collect();
                let one_per_line = frames.len() > 1
                    && frames
                        .iter()
                        .all(|l| l.starts_with("{\"type\"") && l.ends_with('}'));
                let texts = if one_per_line {
                    frames.iter().map(|l| l.to_string()).collect()
                } else {
                    vec![text]
                };
                for (k, text) in texts.into_iter().enumerate() {
                    out.push(Example {
                        line: start + 1 + if one_per_line { k } else { 0 },
                        heading: heading.clone(),
                        kind: kind_of(&heading),
                        text,
                        row_type: None,
                    });
                }
            } else {
                text.push_str(line.trim_start());
                text.push('\n');
            }
            continue;
        }
        if line.starts_with('#') {
            heading = line.to_string();
        } else if line.trim_start().starts_with("```json") {
            block = Some((n, String::new()));
        } else if let Some((row_type, text)) = table_example(line) {
            out.push(Example {
                line: n,
                heading: heading.clone(),
                kind: kind_of(&heading),
                text,
                row_type: Some(row_type),
            });
        }
    }
    out
}

/// A frame table row `| \`type\` | \`{…}\` | …`: the type and the example.
fn table_example(line: &str) -> Option<(String, String)> {
    let mut cells = line.strip_prefix('|')?.split(" | ");
    let row_type = cells.next()?.trim().strip_prefix('`')?.strip_suffix('`')?;
    let example = cells.next()?.trim().strip_prefix('`')?.strip_suffix('`')?;
    example
        .starts_with("{\"type\"")
        .then(|| (row_type.to_string(), example.to_string()))
}

/// The doc's own example of an object, as JSON text, for filling in the shortened examples.
struct Fillings {
    chat_summary: String,
    visitor_on_site_fields: String,
    visitor_message: String,
    agent_message: String,
}

impl Fillings {
    fn from(examples: &[Example]) -> Fillings {
        let json = |kind: Kind, pick: &dyn Fn(&Value) -> bool| -> Value {
            examples
                .iter()
                .filter(|e| e.kind == Some(kind))
                .filter_map(|e| serde_json::from_str::<Value>(&e.text).ok())
                .find(|v| pick(v))
                .unwrap_or_else(|| panic!("the doc has a {kind:?} example to fill in from"))
        };
        let snapshot = json(Kind::ToAgent, &|v| v["type"] == "snapshot");
        let visitor = json(Kind::VisitorOnSite, &|_| true);
        let message = |kind: Kind| {
            let mut m = json(kind, &|v| v["type"] == "message");
            m.as_object_mut().map(|o| o.remove("type"));
            m.to_string()
        };
        let fields = visitor.to_string();
        Fillings {
            chat_summary: snapshot["chats"][0].to_string(),
            visitor_on_site_fields: fields[1..fields.len() - 1].to_string(),
            visitor_message: message(Kind::ToVisitor),
            agent_message: message(Kind::ToAgent),
        }
    }

    fn fill(&self, text: &str) -> String {
        text.replace("{ChatSummary}", &self.chat_summary)
            .replace("…VisitorOnSite", &self.visitor_on_site_fields)
            .replace(
                "[VisitorMessageView…]",
                &format!("[{}]", self.visitor_message),
            )
            .replace("[AgentMessageView…]", &format!("[{}]", self.agent_message))
    }
}

/// Decodes `text` as `T`; for what the server sends, also checks that `T` writes it back as
/// the same JSON (`exact`).
fn check<T: DeserializeOwned + Serialize>(text: &str, exact: bool) -> Result<(), String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let typed: T = serde_json::from_value(value.clone())
        .map_err(|e| format!("does not decode as {}: {e}", std::any::type_name::<T>()))?;
    if exact {
        let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
        if back != value {
            return Err(format!(
                "the server would write it otherwise:\n  doc:    {value}\n  server: {back}"
            ));
        }
    }
    Ok(())
}

#[test]
fn every_example_frame_decodes_into_its_sections_type() {
    let all = examples();
    let fillings = Fillings::from(&all);
    let mut failures = Vec::new();
    let mut checked = 0;
    for e in &all {
        let text = fillings.fill(&e.text);
        let result = match e.kind {
            None => Err("is under a heading the test does not know: add it to SECTIONS".into()),
            Some(Kind::VisitorFrame) => check::<VisitorFrame>(&text, false),
            Some(Kind::AgentFrame) => check::<AgentFrame>(&text, false),
            Some(Kind::ToVisitor) => check::<ToVisitor>(&text, true),
            Some(Kind::HelloWelcome) if text.starts_with("{\"type\":\"hello\"") => {
                check::<VisitorFrame>(&text, false)
            }
            Some(Kind::HelloWelcome) => check::<ToVisitor>(&text, true),
            Some(Kind::ToAgent) => check::<ToAgent>(&text, true),
            Some(Kind::Answer) => {
                check::<ToVisitor>(&text, true).and_then(|()| check::<ToAgent>(&text, true))
            }
            Some(Kind::PageInfo) => check::<PageInfo>(&text, true),
            Some(Kind::VisitorOnSite) => check::<VisitorOnSite>(&text, true),
        };
        let result = result.and_then(|()| match &e.row_type {
            Some(t) => {
                let v: Value = serde_json::from_str(&text).unwrap_or_default();
                if v["type"] == t.as_str() {
                    Ok(())
                } else {
                    Err(format!("is in the row of `{t}` but has type {}", v["type"]))
                }
            }
            None => Ok(()),
        });
        match result {
            Ok(()) => checked += 1,
            Err(why) => failures.push(format!("{}\n  {why}", e.name())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} example(s) in docs/protocol.md do not match the protocol types:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // Every frame table and block is found: a change in the doc's layout must not turn this
    // test into one that checks nothing.
    assert!(checked >= 55, "only {checked} examples found");
}

#[test]
fn every_frame_type_has_an_example() {
    let all = examples();
    let types = |kind: Kind| -> Vec<String> {
        all.iter()
            .filter(|e| e.kind == Some(kind) || e.kind == Some(Kind::HelloWelcome))
            .filter_map(|e| serde_json::from_str::<Value>(&e.text).ok())
            .filter_map(|v| v["type"].as_str().map(str::to_string))
            .collect()
    };
    let expect = |kind: Kind, names: &[&str]| {
        let found = types(kind);
        let missing: Vec<&&str> = names
            .iter()
            .filter(|n| !found.iter().any(|f| f == *n))
            .collect();
        assert!(
            missing.is_empty(),
            "{kind:?} frames without an example: {missing:?}"
        );
    };
    expect(
        Kind::VisitorFrame,
        &[
            "hello",
            "page_view",
            "chat_request",
            "message",
            "typing",
            "chat_end",
            "invitation_dismiss",
            "offline_message",
            "rate",
            "read",
            "email_transcript",
            "ping",
        ],
    );
    expect(
        Kind::AgentFrame,
        &[
            "status", "monitor", "sync", "accept", "message", "link", "typing", "transfer",
            "close", "end", "block", "invite", "ping",
        ],
    );
}
