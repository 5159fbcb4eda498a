#![allow(clippy::unwrap_used)]

use super::*;

fn rgb(text: &str) -> Rgb {
    Rgb::parse(text).unwrap()
}

fn ratio(a: &str, b: &str) -> f64 {
    contrast(rgb(a), rgb(b))
}

fn with_accent(accent: &str) -> Appearance {
    Appearance {
        accent: Some(accent.into()),
        ..Appearance::default()
    }
}

#[test]
fn colours_parse_only_as_rrggbb() {
    assert_eq!(Rgb::parse("#0a7D45"), Some(Rgb(10, 125, 69)));
    assert_eq!(Rgb::parse("#ffffff"), Some(Rgb(255, 255, 255)));
    for bad in [
        "", "#", "#fff", "0a7d45", "#0a7d4", "#0a7d455", "#0g7d45", "red", "#+a7d45",
    ] {
        assert_eq!(Rgb::parse(bad), None, "{bad}");
    }
    // Multi-byte text of the right length in bytes is no colour either.
    assert_eq!(Rgb::parse("#ééé"), None);
}

#[test]
fn known_contrast_ratios() {
    assert!(
        (ratio("#ffffff", "#000000") - 21.0).abs() < 1e-9,
        "white/black 21:1"
    );
    assert!(
        (ratio("#000000", "#ffffff") - 21.0).abs() < 1e-9,
        "order does not matter"
    );
    assert!((ratio("#777777", "#ffffff") - 4.48).abs() < 0.01);
    assert!((ratio("#767676", "#ffffff") - 4.54).abs() < 0.01);
    assert!((ratio("#ffffff", "#ffffff") - 1.0).abs() < 1e-9);
    assert_eq!(rgb("#000000").luminance(), 0.0);
    assert!((rgb("#ffffff").luminance() - 1.0).abs() < 1e-9);
}

#[test]
fn the_default_accent_passes() {
    assert!(ratio(DEFAULT_ACCENT, "#ffffff") >= MIN_CONTRAST);
    assert_eq!(with_accent(DEFAULT_ACCENT).validate(), Ok(()));
}

#[test]
fn low_contrast_is_refused_with_the_ratio() {
    assert_eq!(with_accent("#767676").validate(), Ok(()));
    assert_eq!(with_accent("#000000").validate(), Ok(()));
    let err = with_accent("#777777").validate().unwrap_err();
    assert_eq!(
        err,
        AppearanceError::LowContrast {
            accent: "#777777".into(),
            hundredths: 447
        }
    );
    assert_eq!(err.code(), crate::ErrorCode::LowContrast);
    assert_eq!(
        err.to_string(),
        "Accent colour #777777 has contrast 4.47:1 with the widget's white text; WCAG AA needs 4.5:1"
    );
    let yellow = with_accent("#ffee00").validate().unwrap_err();
    assert_eq!(
        yellow.to_string(),
        "Accent colour #ffee00 has contrast 1.2:1 with the widget's white text; WCAG AA needs 4.5:1"
    );
    assert!(with_accent("#ffffff").validate().is_err());
}

#[test]
fn ratios_are_cut_never_rounded_up() {
    assert_eq!(hundredths(4.4999), 449);
    assert_eq!(hundredths(21.0), 2100);
    assert_eq!(hundredths_text(2100), "21");
    assert_eq!(hundredths_text(447), "4.47");
    assert_eq!(hundredths_text(130), "1.3");
    assert_eq!(hundredths_text(105), "1.05");
}

#[test]
fn a_malformed_colour_is_refused() {
    let err = with_accent("blue").validate().unwrap_err();
    assert_eq!(err, AppearanceError::Accent("blue".into()));
    assert_eq!(err.code(), crate::ErrorCode::BadRequest);
}

#[test]
fn cleaning_trims_and_lowers() {
    let a = Appearance {
        accent: Some("  #0A7D45 ".into()),
        launcher_label: Some("   ".into()),
        greeting: Some(" Hello\r\nthere ".into()),
        offline_text: Some("".into()),
        team_name: Some(" Acme ".into()),
        ..Appearance::default()
    }
    .cleaned();
    assert_eq!(a.accent.as_deref(), Some("#0a7d45"));
    assert_eq!(a.launcher_label, None);
    assert_eq!(a.greeting.as_deref(), Some("Hello\nthere"));
    assert_eq!(a.offline_text, None);
    assert_eq!(a.team_name.as_deref(), Some("Acme"));
    assert_eq!(Appearance::default().cleaned(), Appearance::default());
}

#[test]
fn text_limits_are_checked_in_characters() {
    let label = |t: String| Appearance {
        launcher_label: Some(t),
        ..Appearance::default()
    };
    assert_eq!(label("é".repeat(LAUNCHER_LABEL_MAX)).validate(), Ok(()));
    let long = label("é".repeat(LAUNCHER_LABEL_MAX + 1))
        .validate()
        .unwrap_err();
    assert_eq!(
        long,
        AppearanceError::TooLong {
            field: "Launcher label",
            max: LAUNCHER_LABEL_MAX
        }
    );
    assert_eq!(long.code(), crate::ErrorCode::TooLong);
    assert_eq!(
        label("a\nb".into()).validate(),
        Err(AppearanceError::NotOneLine("Launcher label"))
    );
    assert_eq!(
        label("a\u{7}b".into()).validate(),
        Err(AppearanceError::ControlCharacters("Launcher label"))
    );
    let greeting = Appearance {
        greeting: Some("Hi!\nHow can we help?".into()),
        offline_text: Some("x".repeat(OFFLINE_TEXT_MAX)),
        ..Appearance::default()
    };
    assert_eq!(greeting.validate(), Ok(()));
    let too_long = Appearance {
        greeting: Some("x".repeat(GREETING_MAX + 1)),
        ..Appearance::default()
    };
    assert_eq!(
        too_long.validate(),
        Err(AppearanceError::TooLong {
            field: "Greeting",
            max: GREETING_MAX
        })
    );
    let offline = Appearance {
        offline_text: Some("x".repeat(OFFLINE_TEXT_MAX + 1)),
        ..Appearance::default()
    };
    assert!(matches!(
        offline.validate(),
        Err(AppearanceError::TooLong {
            field: "Offline text",
            ..
        })
    ));
    let team = Appearance {
        agent_names: AgentNames::Team,
        team_name: Some("x".repeat(TEAM_NAME_MAX + 1)),
        ..Appearance::default()
    };
    assert!(matches!(
        team.validate(),
        Err(AppearanceError::TooLong {
            field: "Team name",
            ..
        })
    ));
}

#[test]
fn team_mode_needs_a_team_name_and_replaces_names() {
    let mut a = Appearance {
        agent_names: AgentNames::Team,
        ..Appearance::default()
    };
    assert_eq!(a.validate(), Err(AppearanceError::TeamNameMissing));
    a.team_name = Some("  ".into());
    assert_eq!(a.validate(), Err(AppearanceError::TeamNameMissing));
    a.team_name = Some("Acme Support".into());
    assert_eq!(a.validate(), Ok(()));
    assert_eq!(a.team_name_shown(), Some("Acme Support"));
    assert_eq!(a.agent_name_for_visitor("Bob".into()), "Acme Support");
    // A team name kept while agents are named: not used.
    a.agent_names = AgentNames::Agent;
    assert_eq!(a.validate(), Ok(()));
    assert_eq!(a.team_name_shown(), None);
    assert_eq!(a.agent_name_for_visitor("Bob".into()), "Bob");
}

#[test]
fn defaults_are_todays_widget_and_send_nothing() {
    let a: Appearance = serde_json::from_str("{}").unwrap();
    assert_eq!(a, Appearance::default());
    assert_eq!(a.position, LauncherPosition::Right);
    assert_eq!(a.ask_name, Ask::Optional);
    assert_eq!(a.ask_email, Ask::Hidden);
    assert_eq!(a.agent_names, AgentNames::Agent);
    assert_eq!(a.validate(), Ok(()));
    assert_eq!(a.for_widget(), None);
    // The default colour said out loud, or a team name: still nothing for the widget.
    let same = Appearance {
        accent: Some(DEFAULT_ACCENT.into()),
        agent_names: AgentNames::Team,
        team_name: Some("Acme".into()),
        ..Appearance::default()
    };
    assert_eq!(same.for_widget(), None);
}

#[test]
fn the_widget_gets_only_what_differs() {
    let a = Appearance {
        accent: Some("#0a7d45".into()),
        position: LauncherPosition::Left,
        ask_email: Ask::Required,
        ..Appearance::default()
    };
    let w = serde_json::to_value(a.for_widget().unwrap()).unwrap();
    assert_eq!(
        w,
        serde_json::json!({"accent": "#0a7d45", "position": "left", "ask_email": "required"})
    );
    let texts = Appearance {
        launcher_label: Some("Ask us".into()),
        greeting: Some("Hello".into()),
        offline_text: Some("Back at 9".into()),
        ask_name: Ask::Hidden,
        ..Appearance::default()
    };
    let w = serde_json::to_value(texts.for_widget().unwrap()).unwrap();
    assert_eq!(
        w,
        serde_json::json!({"launcher_label": "Ask us", "greeting": "Hello",
            "offline_text": "Back at 9", "ask_name": "hidden"})
    );
}

#[test]
fn stored_form_round_trips_and_refuses_unknown_choices() {
    let a: Appearance = serde_json::from_str(
        r##"{"accent":"#0a7d45","position":"left","ask_name":"required","ask_email":"optional",
            "agent_names":"team","team_name":"Acme Support"}"##,
    )
    .unwrap();
    assert_eq!(a.ask_name, Ask::Required);
    assert_eq!(
        serde_json::from_value::<Appearance>(serde_json::to_value(&a).unwrap()).unwrap(),
        a
    );
    assert!(serde_json::from_str::<Appearance>(r#"{"position":"top"}"#).is_err());
    assert!(serde_json::from_str::<Appearance>(r#"{"ask_name":"maybe"}"#).is_err());
    assert!(serde_json::from_str::<Appearance>(r#"{"agent_names":"nobody"}"#).is_err());
}

#[test]
fn a_chat_request_lacks_only_what_the_site_requires() {
    let asks = |name: Ask, email: Ask| Appearance {
        ask_name: name,
        ask_email: email,
        ..Appearance::default()
    };
    for (name, email) in [(false, false), (true, false), (false, true), (true, true)] {
        assert_eq!(Appearance::default().missing_for_chat(name, email), None);
        for how in [Ask::Optional, Ask::Hidden] {
            assert_eq!(asks(how, how).missing_for_chat(name, email), None);
        }
        let both = asks(Ask::Required, Ask::Required).missing_for_chat(name, email);
        let want = match (name, email) {
            (false, _) => Some("name"),
            (true, false) => Some("email"),
            (true, true) => None,
        };
        assert_eq!(both, want, "name {name}, email {email}");
        assert_eq!(
            asks(Ask::Hidden, Ask::Required).missing_for_chat(name, email),
            (!email).then_some("email")
        );
        assert_eq!(
            asks(Ask::Required, Ask::Optional).missing_for_chat(name, email),
            (!name).then_some("name")
        );
    }
}
