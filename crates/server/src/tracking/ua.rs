//! Browser and operating system from the user agent (woothee: maintained, data compiled in).

pub struct UaParser {
    parser: woothee::parser::Parser,
}

impl Default for UaParser {
    fn default() -> UaParser {
        UaParser {
            parser: woothee::parser::Parser::new(),
        }
    }
}

impl UaParser {
    /// ("Chrome 120.0.0.0", "Windows 10"), or "Unknown" parts.
    pub fn parse(&self, ua: &str) -> (String, String) {
        match self.parser.parse(ua) {
            Some(r) if r.name != "UNKNOWN" => {
                let browser = if r.version.is_empty() || r.version == "UNKNOWN" {
                    r.name.to_string()
                } else {
                    format!("{} {}", r.name, r.version)
                };
                let os = if r.os == "UNKNOWN" {
                    "Unknown".to_string()
                } else if r.os_version.is_empty() || r.os_version == "UNKNOWN" {
                    r.os.to_string()
                } else {
                    format!("{} {}", r.os, r.os_version)
                };
                (browser, os)
            }
            _ => ("Unknown".to_string(), "Unknown".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers() {
        let p = UaParser::default();
        let (b, os) = p.parse("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36");
        assert!(b.starts_with("Chrome"), "{b}");
        assert!(os.starts_with("Windows"), "{os}");
        let (b, _) =
            p.parse("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0");
        assert!(b.starts_with("Firefox"), "{b}");
        assert_eq!(
            p.parse("<script>alert(1)</script>"),
            ("Unknown".into(), "Unknown".into())
        );
    }
}
