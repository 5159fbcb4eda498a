//! A site's "Appearance" (issue 17): the widget's accent colour, launcher position and label,
//! the greeting and offline text, whether the widget asks for a name and an email address, and
//! whether the visitor sees each agent's own name or one team name.
//!
//! Stored in the site's settings (`SiteSettings.appearance`); every field has a default that is
//! the widget as it was before the setting existed, so a site that sets nothing sees no change
//! (and `welcome` carries no `appearance` at all, see [`Appearance::for_widget`]).
//!
//! The accent colour is refused when the widget's text on it (white: the launcher, the Send
//! button, the visitor's bubbles) would fall below WCAG 2.1 AA contrast, [`MIN_CONTRAST`] by the
//! relative-luminance formula ([`contrast`]).

use serde::{Deserialize, Serialize};

/// The widget's own accent colour (`--a` in web/widget/widget.css).
pub const DEFAULT_ACCENT: &str = "#2f5bea";
/// The colour of the widget's text drawn on the accent (`--a-fg`: white).
pub const TEXT_ON_ACCENT: Rgb = Rgb(255, 255, 255);
/// The least contrast the accent must have with [`TEXT_ON_ACCENT`] (WCAG 2.1 AA, normal text).
pub const MIN_CONTRAST: f64 = 4.5;
/// Most characters of "Launcher label" (one line).
pub const LAUNCHER_LABEL_MAX: usize = 40;
/// Most characters of "Greeting" (line breaks kept).
pub const GREETING_MAX: usize = 500;
/// Most characters of "Offline text" (line breaks kept).
pub const OFFLINE_TEXT_MAX: usize = 500;
/// Most characters of "Team name" (one line).
pub const TEAM_NAME_MAX: usize = 60;

/// "Launcher position": the corner of the launcher and the panel. Named for a left-to-right
/// page; a right-to-left widget (Arabic) mirrors it, as it mirrors the rest of its layout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LauncherPosition {
    /// Bottom right (default).
    #[default]
    Right,
    /// Bottom left.
    Left,
}

/// "Ask for a name" / "Ask for an email": a field of the widget's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Ask {
    /// Shown, may be left empty.
    Optional,
    /// Shown, must be filled in before a chat starts.
    Required,
    /// Not shown.
    Hidden,
}

/// "Agent names": how agents are named to the visitor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgentNames {
    /// "Agent's own name" (default).
    #[default]
    Agent,
    /// "Team name": the visitor sees `team_name` wherever an agent's name would show.
    Team,
}

/// A site's "Appearance". Every field has a default (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appearance {
    /// "Accent colour", `#rrggbb`; `null`: the widget's own (#2f5bea). Refused when white
    /// text on it has less than 4.5:1 contrast (WCAG 2.1 AA).
    #[cfg_attr(feature = "openapi", schema(example = "#0a7d45"))]
    pub accent: Option<String>,
    /// "Launcher position" (default `right`).
    pub position: LauncherPosition,
    /// "Launcher label"; `null`: the widget's own ("Chat with us" in the visitor's language).
    /// At most 40 characters, one line.
    pub launcher_label: Option<String>,
    /// "Greeting": shown at the top of the panel before the first message (instead of the
    /// widget's own "Hi! How can we help?"). At most 500 characters.
    pub greeting: Option<String>,
    /// "Offline text": shown above the "Leave a message" form (instead of the widget's own
    /// "Nobody is available…"). At most 500 characters.
    pub offline_text: Option<String>,
    /// "Ask for a name" before a chat and in the offline form (default `optional`).
    #[cfg_attr(feature = "openapi", schema(default = "optional"))]
    pub ask_name: Ask,
    /// "Ask for an email" before a chat (default `hidden`). The offline form always asks:
    /// the reply goes there.
    #[cfg_attr(feature = "openapi", schema(default = "hidden"))]
    pub ask_email: Ask,
    /// "Agent names" (default `agent`).
    pub agent_names: AgentNames,
    /// "Team name": the name the visitor sees for every agent when `agent_names` is `team`
    /// (required then). At most 60 characters, one line.
    #[cfg_attr(feature = "openapi", schema(example = "Acme Support"))]
    pub team_name: Option<String>,
}

impl Default for Appearance {
    fn default() -> Self {
        Appearance {
            accent: None,
            position: LauncherPosition::Right,
            launcher_label: None,
            greeting: None,
            offline_text: None,
            ask_name: Ask::Optional,
            ask_email: Ask::Hidden,
            agent_names: AgentNames::Agent,
            team_name: None,
        }
    }
}

/// Why an appearance is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppearanceError {
    #[error("\"Accent colour\" {0:?} is not a colour written #rrggbb")]
    Accent(String),
    #[error(
        "Accent colour {accent} has contrast {}:1 with the widget's white text; WCAG AA needs 4.5:1",
        hundredths_text(*hundredths)
    )]
    LowContrast {
        accent: String,
        /// The contrast in hundredths, cut (4.47:1 is 447).
        hundredths: u32,
    },
    #[error("\"{field}\" is at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("\"{0}\" must be one line of text")]
    NotOneLine(&'static str),
    #[error("\"{0}\" has control characters")]
    ControlCharacters(&'static str),
    #[error("\"Team name\" is needed when agents are shown by the team's name")]
    TeamNameMissing,
}

impl AppearanceError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            AppearanceError::LowContrast { .. } => crate::ErrorCode::LowContrast,
            AppearanceError::TooLong { .. } => crate::ErrorCode::TooLong,
            _ => crate::ErrorCode::BadRequest,
        }
    }
}

/// A colour, red green blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` (either case); anything else is `None`.
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
    }

    /// WCAG 2.1 relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let s = f64::from(c) / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }
}

/// WCAG 2.1 contrast ratio of two colours, 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// A ratio in hundredths, cut (never rounded up, so a refused ratio never reads as the one
/// needed): 1 to 21 is 100 to 2100.
pub fn hundredths(ratio: f64) -> u32 {
    // A contrast is between 1 and 21: the cast cannot overflow.
    (ratio * 100.0).floor().clamp(0.0, 10_000.0) as u32
}

/// Hundredths as said to people, trailing zeros left out: "4.47", "1.3", "21".
pub fn hundredths_text(hundredths: u32) -> String {
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Trimmed; blank is `None`.
fn cleaned(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

fn check_text(
    text: Option<&str>,
    field: &'static str,
    max: usize,
    one_line: bool,
) -> Result<(), AppearanceError> {
    let Some(text) = text else { return Ok(()) };
    if text.chars().count() > max {
        return Err(AppearanceError::TooLong { field, max });
    }
    for c in text.chars() {
        if c == '\n' || c == '\r' {
            if one_line {
                return Err(AppearanceError::NotOneLine(field));
            }
        } else if c.is_control() {
            return Err(AppearanceError::ControlCharacters(field));
        }
    }
    Ok(())
}

impl Appearance {
    /// Texts trimmed (blank: the default), the colour in lower case, `\r\n` as `\n`.
    pub fn cleaned(self) -> Appearance {
        let multi = |t: Option<String>| cleaned(t.map(|t| t.replace("\r\n", "\n")));
        Appearance {
            accent: cleaned(self.accent).map(|a| a.to_ascii_lowercase()),
            launcher_label: cleaned(self.launcher_label),
            greeting: multi(self.greeting),
            offline_text: multi(self.offline_text),
            team_name: cleaned(self.team_name),
            ..self
        }
    }

    /// Checks the colour (form and contrast), the lengths, and the team name.
    pub fn validate(&self) -> Result<(), AppearanceError> {
        if let Some(accent) = &self.accent {
            let rgb = Rgb::parse(accent).ok_or_else(|| AppearanceError::Accent(accent.clone()))?;
            let ratio = contrast(rgb, TEXT_ON_ACCENT);
            if ratio < MIN_CONTRAST {
                return Err(AppearanceError::LowContrast {
                    accent: accent.clone(),
                    hundredths: hundredths(ratio),
                });
            }
        }
        let label = self.launcher_label.as_deref();
        check_text(label, "Launcher label", LAUNCHER_LABEL_MAX, true)?;
        check_text(self.greeting.as_deref(), "Greeting", GREETING_MAX, false)?;
        let offline = self.offline_text.as_deref();
        check_text(offline, "Offline text", OFFLINE_TEXT_MAX, false)?;
        check_text(self.team_name.as_deref(), "Team name", TEAM_NAME_MAX, true)?;
        if self.agent_names == AgentNames::Team && self.team_name_shown().is_none() {
            return Err(AppearanceError::TeamNameMissing);
        }
        Ok(())
    }

    /// What a chat request lacks of the fields the site requires ("Ask for a name" /
    /// "Ask for an email": `required`), given whether the visitor has a name and an email (sent
    /// now or known from before): the field's name, or `None` when nothing is missing.
    pub fn missing_for_chat(&self, has_name: bool, has_email: bool) -> Option<&'static str> {
        if self.ask_name == Ask::Required && !has_name {
            Some("name")
        } else if self.ask_email == Ask::Required && !has_email {
            Some("email")
        } else {
            None
        }
    }

    /// The name the visitor sees for every agent, when agents are named by the team.
    pub fn team_name_shown(&self) -> Option<&str> {
        match self.agent_names {
            AgentNames::Team => self
                .team_name
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty()),
            AgentNames::Agent => None,
        }
    }

    /// The name the visitor sees for an agent called `real`.
    pub fn agent_name_for_visitor(&self, real: String) -> String {
        self.team_name_shown().map_or(real, str::to_string)
    }

    /// What `welcome` carries: only what differs from the widget's defaults, and nothing at
    /// all (`None`) for a site that sets nothing. (The team name is not sent: the server puts
    /// it where agents' names would be.)
    pub fn for_widget(&self) -> Option<WidgetAppearance> {
        let accent = self
            .accent
            .clone()
            .filter(|a| !a.eq_ignore_ascii_case(DEFAULT_ACCENT));
        let defaults = Appearance::default();
        let w = WidgetAppearance {
            accent,
            position: (self.position != defaults.position).then_some(self.position),
            launcher_label: self.launcher_label.clone(),
            greeting: self.greeting.clone(),
            offline_text: self.offline_text.clone(),
            ask_name: (self.ask_name != defaults.ask_name).then_some(self.ask_name),
            ask_email: (self.ask_email != defaults.ask_email).then_some(self.ask_email),
        };
        (w != WidgetAppearance::default()).then_some(w)
    }
}

/// `welcome.appearance`: what the widget shows differently on this site. Every field is left
/// out when it is the widget's default (docs/protocol.md, "welcome").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetAppearance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<LauncherPosition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launcher_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask_name: Option<Ask>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask_email: Option<Ask>,
}

#[cfg(test)]
#[path = "appearance_tests.rs"]
mod tests;
