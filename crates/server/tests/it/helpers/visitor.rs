//! [`VisitorClient`]: a visitor's socket on a site, opened from the site's origin, that has
//! said `hello` and got its `welcome` (token, visitor id); requests a chat and says things.

use super::{TestApp, Ws, unique};
use frontdesk_core::model::Site;
use serde_json::{Value, json};

pub struct VisitorClient {
    pub ws: Ws,
    pub token: String,
    pub visitor_id: String,
    pub welcome: Value,
    pub site_key: String,
    pub origin: String,
}

impl VisitorClient {
    /// A visitor coming back with its `token`, holding every message up to `last_seq` of
    /// `chat_id` (the replay/resync cases).
    pub async fn come_back(
        app: &TestApp,
        site: &Site,
        token: &str,
        last_seq: i64,
        chat_id: Option<i64>,
    ) -> VisitorClient {
        let origin = frontdesk_core::link::origin_of(&site.base_url).expect("origin");
        let mut ws = Ws::open(
            &format!("ws://{}/ws/visitor?site={}", app.addr, site.key),
            &origin,
            None,
        )
        .await
        .expect("visitor socket opens");
        ws.send(
            json!({"type":"hello","token": token,"page":{"url": site.base_url},
            "last_seq": last_seq,"chat_id": chat_id}),
        )
        .await;
        VisitorClient::after_hello(ws, site, origin).await
    }

    /// Opens `/ws/visitor` from the site's origin and says hello on `path`.
    pub async fn connect(
        app: &TestApp,
        site: &Site,
        token: Option<&str>,
        last_seq: Option<i64>,
        path: &str,
    ) -> VisitorClient {
        let origin = frontdesk_core::link::origin_of(&site.base_url).expect("origin");
        VisitorClient::connect_from(app, site, &origin, token, last_seq, path).await
    }

    pub async fn connect_from(
        app: &TestApp,
        site: &Site,
        origin: &str,
        token: Option<&str>,
        last_seq: Option<i64>,
        path: &str,
    ) -> VisitorClient {
        let mut ws = Ws::open(
            &format!("ws://{}/ws/visitor?site={}", app.addr, site.key),
            origin,
            None,
        )
        .await
        .expect("visitor socket opens");
        ws.send(json!({
            "type": "hello",
            "token": token,
            "page": {"url": format!("{}{}", site.base_url, path), "title": format!("Page {path}"), "referrer": "https://search.example/?q=shoes"},
            "last_seq": last_seq,
        }))
        .await;
        VisitorClient::after_hello(ws, site, origin.to_string()).await
    }

    /// The visitor of a socket that has just sent `hello`: waits for the `welcome`.
    pub async fn after_hello(mut ws: Ws, site: &Site, origin: String) -> VisitorClient {
        let welcome = ws.expect("welcome").await;
        VisitorClient {
            token: welcome["token"].as_str().expect("token").to_string(),
            visitor_id: welcome["visitor_id"].as_str().expect("id").to_string(),
            welcome,
            ws,
            site_key: site.key.0.clone(),
            origin,
        }
    }

    /// Requests a chat; returns its id.
    pub async fn request_chat(&mut self, name: Option<&str>) -> i64 {
        let ack = self
            .ws
            .request(json!({"type":"chat_request","name": name}))
            .await;
        assert_eq!(ack["type"], "ack", "chat request answered: {ack}");
        ack["chat_id"].as_i64().expect("chat id")
    }

    /// Sends a message frame and returns the answer (ack or error; `ref` is the client id).
    pub async fn message(&mut self, client_id: &str, body: &str) -> Value {
        self.ws
            .send(json!({"type":"message","client_id": client_id, "body": body}))
            .await;
        let cid = client_id.to_string();
        self.ws
            .wait_for("message answer", move |v| v["ref"] == json!(cid))
            .await
    }

    /// Sends a message and waits for its acknowledgement; returns the seq.
    pub async fn say(&mut self, body: &str) -> i64 {
        let ack = self.message(&unique("v"), body).await;
        assert_eq!(ack["type"], "ack", "message acknowledged: {ack}");
        ack["seq"].as_i64().expect("seq")
    }
}
