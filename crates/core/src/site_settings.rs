//! A site's team settings (issue 12, "Teams at work"): how new chats reach agents, how long an
//! offer stands, whether the widget asks for a department, the opening hours, and when a
//! waiting chat is escalated.
//!
//! Stored as one JSON value per site (`sites.settings`). A setting missing from the stored
//! JSON takes its default, so a site created before a setting existed behaves exactly as it
//! did, and a later setting needs no schema migration. The defaults are the seed's behaviour:
//! broadcast routing, no department question, always open, escalation after 3 minutes.

use crate::error::ErrorCode;
use crate::hours::{self, OpeningHours};
use crate::ids::Timestamp;
use serde::{Deserialize, Serialize};

/// Fewest and most seconds an automatic offer may stand ("Seconds to answer").
pub const OFFER_SECONDS: std::ops::RangeInclusive<u32> = 5..=600;
/// Fewest and most seconds before a waiting chat is escalated ("Waiting too long after").
pub const WAITING_TOO_LONG_SECONDS: std::ops::RangeInclusive<u32> = 10..=86_400;
/// Fewest and most seconds before unread replies are emailed to a visitor who left ("Email
/// unread replies after"); `0` is also allowed: never.
pub const UNREAD_EMAIL_SECONDS: std::ops::RangeInclusive<u32> = 10..=604_800;

/// How a new chat reaches agents (site setting "Routing").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Routing {
    /// "Everyone (first to answer)": every On-Line agent of the site gets the pop-up (default).
    #[default]
    Everyone,
    /// "Assign automatically": offered to one agent at a time, then to everyone.
    Assign,
}

/// The team settings of one site. Every field has a default (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteSettings {
    /// "Routing".
    pub routing: Routing,
    /// "Seconds to answer": how long an automatic offer stands (default 30; 5–600).
    #[cfg_attr(feature = "openapi", schema(minimum = 5, maximum = 600, default = 30))]
    pub offer_seconds: u32,
    /// "Ask visitors for a department" (used when the site has two or more departments).
    pub ask_department: bool,
    /// "Opening hours"; `null`: always open (default). Outside them the widget shows "Leave a
    /// message" and a `chat_request` is refused with `closed`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<OpeningHoursDoc>))]
    pub opening_hours: Option<OpeningHours>,
    /// "Chat outside opening hours": when on, agents On-Line outside the hours still chat.
    pub chat_outside_hours: bool,
    /// "Waiting too long after": seconds before a waiting chat is escalated (default 180;
    /// 10–86400).
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 10, maximum = 86400, default = 180)
    )]
    pub waiting_too_long_seconds: u32,
    /// "Show all agents' names": the visitor sees a colleague's replies (an agent who joined
    /// the chat) under the colleague's own name. Off: every reply shows under the name the
    /// visitor knows for the chat. Default on. (The owner's replies never carry a name: a
    /// transfer stays invisible either way.)
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub show_agent_names: bool,
    /// "Files": whether visitors and agents may attach files, the largest file, files per
    /// chat, and the allowed types (issue 14).
    pub files: crate::files::FilePolicy,
    /// "Rating": the scale the widget offers when a chat ends ("Good"/"Bad" by default; `off`
    /// asks nothing).
    pub rating: crate::rating::RatingScale,
    /// "Email me this transcript" in the widget (default on).
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub visitor_transcripts: bool,
    /// "Sound on new replies": the widget plays a sound when an agent's reply arrives while
    /// its panel is closed or the tab hidden (default off).
    pub unread_sound: bool,
    /// "Email unread replies after": seconds after which a visitor who left, with an email
    /// address and unread agent replies, gets them by email once (default 120; 0: never;
    /// otherwise 10–604800).
    #[cfg_attr(feature = "openapi", schema(maximum = 604800, default = 120))]
    pub unread_email_seconds: u32,
    /// "Language": the site's language, a BCP 47 primary tag from [`LANGUAGES`] (default
    /// "en"). Search stems words by it (PostgreSQL's text search configuration; SQLite
    /// stems every site the English way, see docs/archive.md).
    #[cfg_attr(feature = "openapi", schema(default = "en", example = "de"))]
    pub language: String,
    /// Verified visitor identity: "Require verified identity" (`crate::identity`).
    pub identity: crate::identity::IdentitySettings,
    /// "Privacy": how long chats and visits are kept, and whether addresses are anonymised
    /// (issue 18; docs/privacy.md).
    #[serde(default)]
    pub privacy: crate::privacy::PrivacySettings,
    /// "Appearance": the widget's accent colour, launcher, greeting, offline text, form fields
    /// and how agents are named to visitors (issue 17; `crate::appearance`).
    #[serde(default)]
    pub appearance: crate::appearance::Appearance,
    /// "Invitation rules": when the widget invites a visitor automatically (issue 17;
    /// `crate::invitation_rules`). Default: none.
    #[serde(default)]
    pub invitation_rules: crate::invitation_rules::InvitationRules,
}

/// The site languages known, `(tag, name)`: BCP 47 primary tags.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("pt", "Portuguese"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("sv", "Swedish"),
    ("da", "Danish"),
    ("fi", "Finnish"),
    ("no", "Norwegian"),
    ("ru", "Russian"),
    ("hu", "Hungarian"),
    ("ro", "Romanian"),
    ("tr", "Turkish"),
    ("pl", "Polish"),
    ("cs", "Czech"),
    ("el", "Greek"),
    ("uk", "Ukrainian"),
    ("ar", "Arabic"),
    ("he", "Hebrew"),
    ("ja", "Japanese"),
    ("zh", "Chinese"),
    ("ko", "Korean"),
];

/// The JSON form of the opening hours (for the API document; [`OpeningHours`] reads and
/// checks it): a weekly schedule in `timezone`, and whole days closed. Unknown fields are
/// refused.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(example = json!({"timezone":"Europe/Berlin",
    "weekly":{"mon":[{"from":"09:00","to":"17:00"}],"fri":[{"from":"22:00","to":"02:00"}]},
    "closed_on":["2026-12-25"]}))]
#[allow(dead_code)]
pub struct OpeningHoursDoc {
    /// An IANA time zone name, e.g. "Europe/Berlin".
    timezone: String,
    /// Per weekday (`mon` … `sun`; a missing day is closed) at most 8 ranges.
    weekly: Option<WeeklyDoc>,
    /// Whole local days closed (holidays), "YYYY-MM-DD"; at most 1000.
    closed_on: Option<Vec<String>>,
}

/// The weekly schedule: each weekday's ranges, Monday first.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct WeeklyDoc {
    mon: Option<Vec<RangeDoc>>,
    tue: Option<Vec<RangeDoc>>,
    wed: Option<Vec<RangeDoc>>,
    thu: Option<Vec<RangeDoc>>,
    fri: Option<Vec<RangeDoc>>,
    sat: Option<Vec<RangeDoc>>,
    sun: Option<Vec<RangeDoc>>,
}

/// One range in local time, "HH:MM". A `to` at or before `from` crosses midnight (22:00–02:00
/// ends the next day); "24:00" is the end of the day; `from` = `to` is refused; ranges may
/// touch but not overlap. DST: a time in the spring-forward gap moves forward by the gap; a
/// time in the fall-back fold means its first occurrence.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct RangeDoc {
    #[schema(example = "09:00")]
    from: String,
    #[schema(example = "17:00")]
    to: String,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            routing: Routing::Everyone,
            offer_seconds: 30,
            ask_department: false,
            opening_hours: None,
            chat_outside_hours: false,
            waiting_too_long_seconds: 180,
            show_agent_names: true,
            files: crate::files::FilePolicy::default(),
            rating: crate::rating::RatingScale::default(),
            visitor_transcripts: true,
            unread_sound: false,
            unread_email_seconds: 120,
            language: "en".into(),
            identity: crate::identity::IdentitySettings::default(),
            privacy: crate::privacy::PrivacySettings::default(),
            appearance: crate::appearance::Appearance::default(),
            invitation_rules: crate::invitation_rules::InvitationRules::default(),
        }
    }
}

/// Why a settings value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("\"Seconds to answer\" must be between 5 and 600, not {0}")]
    OfferSeconds(u32),
    #[error("\"Waiting too long after\" must be between 10 and 86400 seconds, not {0}")]
    WaitingTooLong(u32),
    #[error(
        "\"Email unread replies after\" must be 0 (never) or between 10 and 604800 seconds, not {0}"
    )]
    UnreadEmailSeconds(u32),
    #[error("\"Largest file\" must be between 1 byte and 1 GB, not {0} bytes")]
    LargestFile(u64),
    #[error("\"Files per chat\" must be at most 1000, not {0}")]
    FilesPerChat(u32),
    #[error("\"Language\" {0:?} is not a known language tag")]
    Language(String),
    #[error(transparent)]
    Privacy(#[from] crate::privacy::PrivacyError),
    #[error(transparent)]
    Appearance(#[from] crate::appearance::AppearanceError),
    #[error(transparent)]
    InvitationRules(#[from] crate::invitation_rules::InvitationRuleError),
}

impl SettingsError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SettingsError::Appearance(e) => e.code(),
            _ => ErrorCode::BadRequest,
        }
    }
}

/// Whether a site takes chats at an instant, as far as its opening hours go (agents On-Line
/// are the other half: the site is available when both say yes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoursGate {
    /// Chats are taken: no opening hours, inside them, or "Chat outside opening hours" on.
    pub open: bool,
    /// When closed: the next opening (`None`: never within the search horizon).
    pub opens_at: Option<Timestamp>,
    /// The next instant `open` may change (closing when open, opening when closed); `None`:
    /// never (no hours, chat outside hours, or nothing within the horizon).
    pub changes_at: Option<Timestamp>,
}

impl HoursGate {
    /// Always open (no opening hours).
    pub const ALWAYS: HoursGate = HoursGate {
        open: true,
        opens_at: None,
        changes_at: None,
    };
}

impl SiteSettings {
    /// Whether chats are taken at `at` by the opening hours, and until when that holds.
    pub fn hours_gate(&self, at: Timestamp) -> HoursGate {
        let Some(schedule) = self
            .opening_hours
            .as_ref()
            .filter(|_| !self.chat_outside_hours)
        else {
            return HoursGate::ALWAYS;
        };
        if hours::is_open(schedule, at) {
            HoursGate {
                open: true,
                opens_at: None,
                changes_at: hours::closes_at(schedule, at),
            }
        } else {
            let opens_at = hours::next_opening(schedule, at);
            HoursGate {
                open: false,
                opens_at,
                changes_at: opens_at,
            }
        }
    }

    /// Checks the ranges (the opening hours were checked when they were parsed).
    pub fn validate(&self) -> Result<(), SettingsError> {
        if !OFFER_SECONDS.contains(&self.offer_seconds) {
            return Err(SettingsError::OfferSeconds(self.offer_seconds));
        }
        if !WAITING_TOO_LONG_SECONDS.contains(&self.waiting_too_long_seconds) {
            return Err(SettingsError::WaitingTooLong(self.waiting_too_long_seconds));
        }
        let unread = self.unread_email_seconds;
        if unread != 0 && !UNREAD_EMAIL_SECONDS.contains(&unread) {
            return Err(SettingsError::UnreadEmailSeconds(unread));
        }
        if !(1..=1 << 30).contains(&self.files.max_bytes) {
            return Err(SettingsError::LargestFile(self.files.max_bytes));
        }
        if self.files.per_chat > 1000 {
            return Err(SettingsError::FilesPerChat(self.files.per_chat));
        }
        if !LANGUAGES.iter().any(|(tag, _)| *tag == self.language) {
            return Err(SettingsError::Language(self.language.clone()));
        }
        self.privacy.validate()?;
        self.appearance.validate()?;
        self.invitation_rules.validate()?;
        Ok(())
    }

    /// The stored form.
    pub fn to_json(&self) -> String {
        // Plain values: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// Reads the stored form; missing fields take their defaults.
    pub fn from_json(text: &str) -> Result<SiteSettings, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn empty_json_is_the_seed_behaviour() {
        let s = SiteSettings::from_json("{}").unwrap();
        assert_eq!(s, SiteSettings::default());
        assert_eq!(s.routing, Routing::Everyone);
        assert_eq!(s.offer_seconds, 30);
        assert_eq!(s.waiting_too_long_seconds, 180);
        assert!(s.opening_hours.is_none());
        assert!(s.validate().is_ok());
    }

    #[test]
    fn unread_email_seconds_is_never_or_within_its_range() {
        let with = |n| SiteSettings {
            unread_email_seconds: n,
            ..SiteSettings::default()
        };
        for ok in [0, 10, 120, 604_800] {
            assert!(with(ok).validate().is_ok(), "{ok}");
        }
        for bad in [1, 9, 604_801] {
            assert_eq!(
                with(bad).validate(),
                Err(SettingsError::UnreadEmailSeconds(bad))
            );
        }
    }

    #[test]
    fn round_trips_with_opening_hours() {
        let s = SiteSettings::from_json(
            r#"{"routing":"assign","offer_seconds":12,"ask_department":true,
                "opening_hours":{"timezone":"Europe/Berlin","weekly":{"mon":[{"from":"09:00","to":"17:00"}]}},
                "chat_outside_hours":true,"waiting_too_long_seconds":60}"#,
        )
        .unwrap();
        assert_eq!(s.routing, Routing::Assign);
        assert!(s.ask_department && s.chat_outside_hours);
        assert_eq!(SiteSettings::from_json(&s.to_json()).unwrap(), s);
    }

    #[test]
    fn file_limits_are_checked() {
        let mut s = SiteSettings::default();
        s.files.max_bytes = 0;
        assert_eq!(s.validate(), Err(SettingsError::LargestFile(0)));
        s.files.max_bytes = 2 << 30;
        assert_eq!(s.validate(), Err(SettingsError::LargestFile(2 << 30)));
        s.files.max_bytes = 1;
        s.files.per_chat = 1001;
        assert_eq!(s.validate(), Err(SettingsError::FilesPerChat(1001)));
        s.files.per_chat = 0;
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn language_is_a_known_tag_defaulting_to_english() {
        let s: SiteSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s.language, "en");
        assert_eq!(s.validate(), Ok(()));
        for bad in ["", "EN", "en-US", "xx", "english"] {
            let s = SiteSettings {
                language: bad.into(),
                ..SiteSettings::default()
            };
            assert_eq!(s.validate(), Err(SettingsError::Language(bad.into())));
        }
        let de = SiteSettings {
            language: "de".into(),
            ..SiteSettings::default()
        };
        assert_eq!(de.validate(), Ok(()));
    }

    #[test]
    fn ranges_are_checked() {
        let mut s = SiteSettings {
            offer_seconds: 4,
            ..SiteSettings::default()
        };
        assert_eq!(s.validate(), Err(SettingsError::OfferSeconds(4)));
        s.offer_seconds = 600;
        assert!(s.validate().is_ok());
        s.waiting_too_long_seconds = 9;
        assert_eq!(s.validate(), Err(SettingsError::WaitingTooLong(9)));
    }

    fn at(text: &str) -> Timestamp {
        Timestamp(text.parse::<jiff::Timestamp>().unwrap().as_millisecond())
    }

    #[test]
    fn the_gate_follows_the_hours_unless_chat_outside_hours() {
        let mut s = SiteSettings::from_json(
            r#"{"opening_hours":{"timezone":"Europe/Berlin",
                "weekly":{"mon":[{"from":"09:00","to":"17:00"}]},"closed_on":["2026-03-09"]}}"#,
        )
        .unwrap();
        // Monday 2026-03-02 10:00 Berlin (09:00 UTC): open until 17:00 Berlin.
        let open = s.hours_gate(at("2026-03-02T09:00:00Z"));
        assert_eq!(
            open,
            HoursGate {
                open: true,
                opens_at: None,
                changes_at: Some(at("2026-03-02T16:00:00Z")),
            }
        );
        // Monday 18:00: closed; next Monday is a holiday, so the Monday after.
        let closed = s.hours_gate(at("2026-03-02T17:00:00Z"));
        assert!(!closed.open);
        assert_eq!(closed.opens_at, Some(at("2026-03-16T08:00:00Z")));
        assert_eq!(closed.changes_at, closed.opens_at);
        s.chat_outside_hours = true;
        assert_eq!(s.hours_gate(at("2026-03-02T17:00:00Z")), HoursGate::ALWAYS);
        assert_eq!(
            SiteSettings::default().hours_gate(at("2026-03-02T17:00:00Z")),
            HoursGate::ALWAYS
        );
    }

    #[test]
    fn always_closed_has_no_next_opening() {
        let s =
            SiteSettings::from_json(r#"{"opening_hours":{"timezone":"UTC","weekly":{}}}"#).unwrap();
        let gate = s.hours_gate(at("2026-03-02T17:00:00Z"));
        assert_eq!(
            (gate.open, gate.opens_at, gate.changes_at),
            (false, None, None)
        );
    }

    #[test]
    fn bad_opening_hours_are_refused_when_read() {
        let err =
            SiteSettings::from_json(r#"{"opening_hours":{"timezone":"Nowhere/Else","weekly":{}}}"#);
        assert!(err.is_err());
        assert!(SiteSettings::from_json(r#"{"routing":"random"}"#).is_err());
    }
}
