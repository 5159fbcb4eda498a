//! The widget's language (issue 17): `hello.lang` is recorded with the visit (a region dropped,
//! an unknown language ignored), else the site's "Language" (`welcome.language`), else English
//! when the widget has no table for it; agents read it in Visit Detail
//! (`current_visit.language`).

use crate::helpers::*;
use crate::rest::ok_json;
use frontdesk_core::model::Site;
use serde_json::{Value, json};

/// A visitor whose `hello` carries `lang` (left out when None).
async fn hello(app: &TestApp, site: &Site, lang: Option<&str>) -> VisitorClient {
    let origin = frontdesk_core::link::origin_of(&site.base_url).expect("origin");
    let mut ws = Ws::open(
        &format!("ws://{}/ws/visitor?site={}", app.addr, site.key),
        &origin,
        None,
    )
    .await
    .expect("visitor socket opens");
    let mut frame =
        json!({"type": "hello", "page": {"url": format!("{}/", site.base_url), "title": "Home"}});
    if let Some(l) = lang {
        frame["lang"] = json!(l);
    }
    ws.send(frame).await;
    VisitorClient::after_hello(ws, site, origin).await
}

async fn language(agent: &AgentClient, site: &Site, v: &VisitorClient) -> Value {
    let path = format!("/api/sites/{}/visitors/{}", site.id.0, v.visitor_id);
    let detail = ok_json(agent.get(&path).await, 200).await;
    detail["current_visit"]["language"].clone()
}

async fn with_language(app: &TestApp, site: &Site, language: &str) -> Site {
    let mut s = site.clone();
    s.settings.language = language.into();
    app.store().update_site(&s).await.expect("settings");
    s
}

#[tokio::test]
async fn the_widgets_language_then_the_sites_then_english() {
    let app = TestApp::spawn().await;
    let site = app.site().await;
    let alice = app.agent("Alice").await;

    let v = hello(&app, &site, Some("pt-BR")).await;
    assert_eq!(v.welcome["language"], "en", "the site's default language");
    assert_eq!(
        language(&alice, &site, &v).await,
        "pt",
        "a region falls back to its language"
    );

    let ja = with_language(&app, &site, "ja").await;
    let v = hello(&app, &ja, None).await;
    assert_eq!(v.welcome["language"], "ja");
    assert_eq!(language(&alice, &ja, &v).await, "ja", "no lang: the site's");
    let v = hello(&app, &ja, Some("ko")).await;
    assert_eq!(
        language(&alice, &ja, &v).await,
        "ja",
        "a language the widget lacks: the site's"
    );
    let v = hello(&app, &ja, Some("<b>de</b>")).await;
    assert_eq!(language(&alice, &ja, &v).await, "ja", "no tag: ignored");
    let v = hello(&app, &ja, Some("SV")).await;
    assert_eq!(language(&alice, &ja, &v).await, "sv");

    // A site language the widget has no table for: English.
    let ru = with_language(&app, &site, "ru").await;
    let v = hello(&app, &ru, None).await;
    assert_eq!(v.welcome["language"], "ru");
    assert_eq!(language(&alice, &ru, &v).await, "en");
}
