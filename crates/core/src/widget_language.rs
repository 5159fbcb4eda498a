//! The widget's language (issue 17): the languages the visitor widget has a table for
//! (`web/widget/l10n-XX.js`), and the one a visit is recorded with. The widget chooses (the
//! snippet's `data-lang`, the page's `<html lang>`, the browser's languages; README.md,
//! "Languages") and says so in `hello.lang`; when it names none, the site's "Language" decides,
//! and English when the widget has no table for that.

/// The widget's languages: BCP 47 primary tags, each with a `web/widget/l10n-XX.js`.
pub const WIDGET_LANGUAGES: &[&str] = &[
    "en", "de", "fr", "es", "pt", "it", "nl", "sv", "pl", "ja", "zh", "ar",
];

/// The widget language of `tag` ("pt-BR" → "pt", "ZH_cn" → "zh"), or None when the widget
/// has no table for it (or it is no tag at all).
pub fn widget_language(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    WIDGET_LANGUAGES
        .iter()
        .copied()
        .find(|l| l.eq_ignore_ascii_case(primary))
}

/// The language a visit is recorded with: what the widget said (`hello.lang`), else the
/// site's language, else English.
pub fn visit_language(said: Option<&str>, site_language: &str) -> &'static str {
    said.and_then(widget_language)
        .or_else(|| widget_language(site_language))
        .unwrap_or("en")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_falls_back_to_its_language() {
        assert_eq!(widget_language("pt-BR"), Some("pt"));
        assert_eq!(widget_language("zh-CN"), Some("zh"));
        assert_eq!(widget_language("ZH_hans"), Some("zh"));
        assert_eq!(widget_language("ar"), Some("ar"));
        for none in ["", "-", "ko", "english", "e", "<b>en</b>"] {
            assert_eq!(widget_language(none), None, "{none:?}");
        }
    }

    #[test]
    fn the_widget_first_then_the_site_then_english() {
        assert_eq!(visit_language(Some("de"), "fr"), "de");
        assert_eq!(visit_language(Some("ko"), "fr"), "fr");
        assert_eq!(visit_language(None, "ja"), "ja");
        assert_eq!(visit_language(None, "ru"), "en");
        assert_eq!(visit_language(Some("xx"), "ru"), "en");
    }

    #[test]
    fn every_widget_language_is_a_site_language() {
        for l in WIDGET_LANGUAGES {
            assert!(
                crate::site_settings::LANGUAGES.iter().any(|(t, _)| t == l),
                "{l}"
            );
        }
    }
}
