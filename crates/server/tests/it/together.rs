//! Issue 13's parts together, where they meet: a note in a chat with a colleague and a
//! supervisor watching reaches all three agents and never the visitor (the whisper between
//! colleagues); a supervisor joins without an invitation and is seen by the visitor under
//! their own name; "Show all agents' names" off names nobody.

use crate::helpers::*;
use crate::notes::{message_with, no_note_in, note, secret};
use frontdesk_core::model::Site;
use serde_json::{Value, json};

async fn frame(ws: &mut Ws, kind: &str, chat: i64) -> Value {
    let k = kind.to_string();
    ws.wait_for(kind, move |f| {
        f["type"] == k.as_str() && (f["chat_id"] == chat || f["chat"]["chat_id"] == chat)
    })
    .await
}

/// Alice holds a chat with visitor Ann; Bob joined it on Alice's invitation; Sue (an admin,
/// so a supervisor of every site) watches it.
async fn shared_and_watched(app: &TestApp) -> (Site, Ws, Ws, Ws, VisitorClient, i64) {
    let site = app.site().await;
    let (_, mut a, v, chat) = app.accepted_chat(&site).await;
    let (bob, mut b) = app.online_agent("Bob").await;
    let ack = a
        .request(json!({"type":"invite_agent","chat_id": chat,"agent": bob.id.0}))
        .await;
    assert_eq!(ack["type"], "ack", "{ack}");
    frame(&mut b, "chat.join_invite", chat).await;
    let ack = b.request(json!({"type":"join","chat_id": chat})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    frame(&mut b, "chat.history", chat).await;
    let sue = app.agent_with("Sue", true, None).await;
    let mut s = sue.connect(app).await;
    let ack = s
        .request(json!({"type":"watch","chat_id": chat,"watching": true}))
        .await;
    // The watch is answered by the chat's history (the first page carries the ref).
    assert_eq!(ack["type"], "chat.history", "{ack}");
    (site, a, b, s, v, chat)
}

#[tokio::test]
async fn notes_are_the_whisper_of_owner_colleague_and_watcher_never_the_visitors() {
    let app = TestApp::spawn().await;
    let (site, mut a, mut b, mut s, mut v, chat) = shared_and_watched(&app).await;
    let (from_alice, from_bob) = (secret(), secret());

    assert_eq!(note(&mut a, chat, &from_alice).await["type"], "ack");
    for ws in [&mut b, &mut s] {
        let n = message_with(ws, &from_alice).await;
        assert_eq!(n["kind"], "note", "{n}");
        assert_eq!(n["author_name"], "Alice");
    }
    // The colleague answers in a note: the owner and the watcher read it.
    assert_eq!(note(&mut b, chat, &from_bob).await["type"], "ack");
    for ws in [&mut a, &mut s] {
        let n = message_with(ws, &from_bob).await;
        assert_eq!(n["kind"], "note", "{n}");
        assert_eq!(n["author_name"], "Bob");
    }
    // A watcher reads; it does not write, not even a note.
    let refused = note(&mut s, chat, "a supervisor's aside").await;
    assert_eq!(refused["type"], "error", "{refused}");

    // Then a reply the visitor must get: everything before it has been delivered by then.
    agent_say(&mut b, chat, "Bob here, your refund is on its way").await;
    let reply = message_with(&mut v.ws, "Bob here, your refund is on its way").await;
    assert_eq!(reply["author_name"], "Bob", "a colleague's reply is named");
    let seen = v.ws.drain().await;
    no_note_in(&seen, &from_alice);
    no_note_in(&seen, &from_bob);
    for f in &seen {
        assert!(
            !f.to_string().contains("Sue"),
            "the visitor heard of the watcher: {f}"
        );
    }

    // A reconnecting visitor replays the chat from the start: still no note.
    let mut again = VisitorClient::come_back(&app, &site, &v.token, 0, Some(chat)).await;
    let replayed = again.ws.drain().await;
    assert!(
        replayed
            .iter()
            .any(|f| f["body"] == "Bob here, your refund is on its way"),
        "the replay carries the reply: {replayed:?}"
    );
    no_note_in(&replayed, &from_alice);
    no_note_in(&replayed, &from_bob);
}

#[tokio::test]
async fn a_supervisor_joins_without_an_invitation_and_is_named_to_the_visitor() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a, mut v, chat) = app.accepted_chat(&site).await;
    let sue = app.agent_with("Sue", true, None).await;
    let mut s = sue.connect(&app).await;
    let ack = s.request(json!({"type":"join","chat_id": chat})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    frame(&mut s, "chat.history", chat).await;
    let updated = frame(&mut a, "chat.updated", chat).await;
    assert_eq!(updated["chat"]["joined"][0]["name"], "Sue");
    agent_say(&mut s, chat, "Hello, I am the team lead").await;
    let seen = message_with(&mut v.ws, "Hello, I am the team lead").await;
    assert_eq!(seen["author_name"], "Sue");
    message_with(&mut a, "Hello, I am the team lead").await;
}

#[tokio::test]
async fn a_supervisor_who_joined_and_takes_over_is_the_owner_and_no_longer_a_colleague() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let (_, mut a, _v, chat) = app.accepted_chat(&site).await;
    let sue = app.agent_with("Sue", true, None).await;
    let mut s = sue.connect(&app).await;
    assert_eq!(
        s.request(json!({"type":"join","chat_id": chat})).await["type"],
        "ack"
    );
    frame(&mut a, "chat.updated", chat).await;
    let ack = s.request(json!({"type":"take_over","chat_id": chat})).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    frame(&mut a, "chat.released", chat).await;
    let stored = app
        .store()
        .chat(frontdesk_core::ChatId(chat))
        .await
        .expect("storage answers");
    assert_eq!(stored.state.owner(), Some(sue.id));
    assert!(stored.joined.is_empty(), "{:?}", stored.joined);
}
