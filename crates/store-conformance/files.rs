//! Files in chats: a file's row and bytes are written with their message in one commit, a
//! resend by client id answers the same file, messages read back carry their file, files are
//! counted per chat, and deleting a chat leaves nothing of it (raw row counts), nor does a
//! failed write leave a file without its message.

use super::*;
use frontdesk_core::files::{FileId, FileRef, NewFile};

pub fn new_file(id: &str, data: &[u8], thumb: Option<&[u8]>) -> NewFile {
    NewFile {
        meta: FileRef {
            id: FileId(format!("{id:_<22}")),
            name: "shot.png".into(),
            mime: "image/png".into(),
            size: data.len() as u64,
            width: thumb.map(|_| 640),
            height: thumb.map(|_| 480),
        },
        sha256: "ab".repeat(32),
        data: data.to_vec(),
        thumb: thumb.map(<[u8]>::to_vec),
    }
}

pub fn file_message(chat: ChatId, file: NewFile, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        kind: MessageKind::File,
        body: file.meta.name.clone(),
        file: Some(file),
        ..text(chat, "", client_id)
    }
}

#[tokio::test]
async fn a_file_is_stored_with_its_message_and_read_back_with_it() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let c = chat(&s, shop.id, "v1", 1).await;
    s.append_message(text(c.id, "look", None)).await.unwrap();
    let f = new_file("f1", b"\x89PNG-bytes", Some(b"thumb"));
    let a = s
        .append_message(file_message(c.id, f.clone(), Some("up-1")))
        .await
        .unwrap();
    assert_eq!((a.message.seq, a.duplicate), (Seq(2), false));
    assert_eq!(a.message.file.as_ref(), Some(&f.meta));

    let stored = s.file(&f.meta.id).await.unwrap();
    assert_eq!(stored.meta, f.meta);
    assert_eq!(
        (stored.chat_id, stored.site_id, stored.seq),
        (c.id, shop.id, Seq(2))
    );
    assert_eq!(stored.sha256, f.sha256);
    assert_eq!(s.file_data(&f.meta.id, false).await.unwrap(), f.data);
    assert_eq!(s.file_data(&f.meta.id, true).await.unwrap(), b"thumb");

    let messages = s.messages_after(c.id, Seq(0), 10).await.unwrap();
    assert_eq!(messages[0].file, None);
    assert_eq!(messages[1].kind, MessageKind::File);
    assert_eq!(messages[1].file.as_ref(), Some(&f.meta));
    assert_eq!(s.files_in_chat(c.id).await.unwrap(), 1);

    // Several files among texts, read in pages: each message gets its own file.
    s.append_message(text(c.id, "and", None)).await.unwrap();
    let g = new_file("f2", b"%PDF-2", None);
    s.append_message(file_message(c.id, g.clone(), None))
        .await
        .unwrap();
    let all = s.messages_after(c.id, Seq(0), 10).await.unwrap();
    let files: Vec<_> = all.iter().map(|m| m.file.as_ref().map(|f| &f.id)).collect();
    assert_eq!(files, vec![None, Some(&f.meta.id), None, Some(&g.meta.id)]);
    let page = s.messages_after(c.id, Seq(2), 1).await.unwrap();
    assert_eq!((page.len(), page[0].file.as_ref()), (1, None));
    let page = s.messages_after(c.id, Seq(3), 1).await.unwrap();
    assert_eq!(page[0].file.as_ref(), Some(&g.meta));
}

#[tokio::test]
async fn a_resend_by_client_id_answers_the_same_file_and_stores_nothing_more() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let c = chat(&s, shop.id, "v1", 1).await;
    let first = new_file("first", b"%PDF-1", None);
    let a = s
        .append_message(file_message(c.id, first.clone(), Some("up-1")))
        .await
        .unwrap();
    // The resend carries the same bytes under a new id (the server draws one per request).
    let again = new_file("again", b"%PDF-1", None);
    let b = s
        .append_message(file_message(c.id, again.clone(), Some("up-1")))
        .await
        .unwrap();
    assert!(b.duplicate);
    assert_eq!(b.message, a.message);
    assert_eq!(b.message.file.as_ref().map(|f| &f.id), Some(&first.meta.id));
    assert_eq!(s.file(&again.meta.id).await, Err(StoreError::NotFound));
    assert_eq!(s.files_in_chat(c.id).await.unwrap(), 1);
    assert_eq!(raw_rows(&s, "file_data").await, 1);
    // No thumbnail: NotFound, not an empty body.
    assert_eq!(
        s.file_data(&first.meta.id, true).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn a_visitor_file_goes_to_the_open_chat_in_the_same_write() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let c = chat(&s, shop.id, "v1", 1).await;
    let f = new_file("vf", b"GIF89a...", None);
    let p = s
        .append_visitor_message(VisitorMessage {
            site: shop.id,
            visitor: VisitorId("v1".into()),
            kind: MessageKind::File,
            body: f.meta.name.clone(),
            client_id: Some("v-up".into()),
            created_at: Timestamp(7_000),
            file: Some(f.clone()),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.chat.id, c.id);
    assert_eq!(p.appended.message.file.as_ref(), Some(&f.meta));
    let stored = s.file(&f.meta.id).await.unwrap();
    assert_eq!(
        (stored.chat_id, stored.created_at),
        (c.id, Timestamp(7_000))
    );
    // No open chat: nothing written.
    let g = new_file("nochat", b"GIF89a", None);
    let none = s
        .append_visitor_message(VisitorMessage {
            site: shop.id,
            visitor: VisitorId("v2".into()),
            kind: MessageKind::File,
            body: "x".into(),
            client_id: None,
            created_at: Timestamp(7_000),
            file: Some(g.clone()),
        })
        .await
        .unwrap();
    assert!(none.is_none());
    assert_eq!(raw_rows(&s, "files").await, 1);
}

#[tokio::test]
async fn a_failed_write_leaves_no_file_without_its_message() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let c = chat(&s, shop.id, "v1", 1).await;
    let f = new_file("dup", b"%PDF-1", None);
    s.append_message(file_message(c.id, f.clone(), None))
        .await
        .unwrap();
    // Same file id again (no client id): the file's insert fails, so the message is undone.
    let err = s.append_message(file_message(c.id, f.clone(), None)).await;
    assert!(err.is_err(), "{err:?}");
    assert_eq!(s.messages_after(c.id, Seq(0), 10).await.unwrap().len(), 1);
    assert_eq!(s.chat(c.id).await.unwrap().last_seq, Seq(1));
    assert_eq!(raw_rows(&s, "messages").await, 1);
    assert_eq!(raw_rows(&s, "files").await, 1);
    assert_eq!(raw_rows(&s, "file_data").await, 1);
    // An unknown chat: NotFound, nothing written.
    let g = new_file("nowhere", b"%PDF-1", None);
    assert_eq!(
        s.append_message(file_message(ChatId(999), g, None))
            .await
            .err(),
        Some(StoreError::NotFound)
    );
    assert_eq!(raw_rows(&s, "files").await, 1);
}

#[tokio::test]
async fn deleting_a_chat_leaves_no_row_of_it() {
    let (_keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let gone = chat(&s, shop.id, "v1", 1).await;
    let kept = chat(&s, shop.id, "v2", 2).await;
    for (c, n) in [(gone.id, "a"), (gone.id, "b"), (kept.id, "c")] {
        s.append_message(text(c, "hi", None)).await.unwrap();
        let f = new_file(n, b"\x89PNG", Some(b"t"));
        s.append_message(file_message(c, f, None)).await.unwrap();
    }
    assert_eq!(raw_rows(&s, "files").await, 3);
    s.delete_chat(gone.id).await.unwrap();
    assert_eq!(s.chat(gone.id).await.err(), Some(StoreError::NotFound));
    assert_eq!(raw_rows(&s, "chats").await, 1);
    assert_eq!(raw_rows(&s, "messages").await, 2);
    assert_eq!(raw_rows(&s, "files").await, 1);
    assert_eq!(raw_rows(&s, "file_data").await, 1);
    assert_eq!(s.files_in_chat(gone.id).await.unwrap(), 0);
    assert_eq!(s.files_in_chat(kept.id).await.unwrap(), 1);
    assert!(
        s.messages_after(gone.id, Seq(0), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.delete_chat(gone.id).await.err(),
        Some(StoreError::NotFound)
    );
}

#[tokio::test]
async fn files_travel_in_the_dump() {
    let (keep, s) = fresh().await;
    let shop = site(&s, "shop").await;
    let c = chat(&s, shop.id, "v1", 1).await;
    let f = new_file("dumped", &[0, 1, 2, 255, 254], Some(&[9, 9]));
    s.append_message(file_message(c.id, f.clone(), None))
        .await
        .unwrap();
    drop(s);
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("1.jsonl"), dir.path().join("2.jsonl"));
    let rows = dump_export(&keep, &first).await.unwrap();
    let (other, s) = fresh().await;
    drop(s);
    assert_eq!(dump_import(&other, &first).await.unwrap(), rows);
    dump_export(&other, &second).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        std::fs::read_to_string(&second).unwrap()
    );
    let s = reopen(&other).await.unwrap();
    assert_eq!(s.file(&f.meta.id).await.unwrap().meta, f.meta);
    assert_eq!(s.file_data(&f.meta.id, false).await.unwrap(), f.data);
    assert_eq!(s.file_data(&f.meta.id, true).await.unwrap(), vec![9, 9]);
    let m = s.messages_after(c.id, Seq(0), 10).await.unwrap();
    assert_eq!(m[0].file.as_ref(), Some(&f.meta));
}
