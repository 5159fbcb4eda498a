//! Decoding client frames: typed, bounded, with a clear error for each way a frame is wrong.
//! (Frame size is bounded before reading by the WebSocket layer; JSON nesting by serde_json's
//! recursion limit.)

use crate::error::{AppError, AppResult};
use frontdesk_core::ErrorCode;
use serde::de::DeserializeOwned;

#[derive(serde::Deserialize)]
struct Tagged<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<std::borrow::Cow<'a, str>>,
}

/// Decode one JSON text frame into `T` (an enum tagged by `type`, listing `known` types).
pub fn decode<T: DeserializeOwned>(text: &str) -> AppResult<T> {
    match serde_json::from_str::<T>(text) {
        Ok(frame) => Ok(frame),
        Err(e) => {
            let tagged: Result<Tagged, _> = serde_json::from_str(text);
            match tagged {
                Err(_) => Err(AppError::bad_request("The frame is not a JSON object.")),
                Ok(Tagged { kind: None }) => {
                    Err(AppError::bad_request("The frame has no \"type\"."))
                }
                Ok(Tagged { kind: Some(kind) }) => {
                    let msg = e.to_string();
                    // serde names the unknown tag in backticks; an unknown value deeper in a
                    // known frame (e.g. "status":"offline") is a bad request, not a bad type.
                    if msg.starts_with(&format!("unknown variant `{kind}`")) {
                        Err(AppError::new(
                            ErrorCode::UnknownType,
                            format!("Unknown frame type {:?}.", truncate(&kind)),
                        ))
                    } else {
                        Err(AppError::bad_request(format!(
                            "Malformed {:?} frame: {}",
                            truncate(&kind),
                            truncate(&msg)
                        )))
                    }
                }
            }
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk_core::protocol::{AgentFrame, VisitorFrame};

    #[test]
    fn each_kind_of_bad_frame_has_its_code() {
        let e = decode::<VisitorFrame>("not json").err().map(|e| e.code);
        assert_eq!(e, Some(ErrorCode::BadRequest));
        let e = decode::<VisitorFrame>(r#"{"type":"launch_missiles"}"#)
            .err()
            .map(|e| e.code);
        assert_eq!(e, Some(ErrorCode::UnknownType));
        let e = decode::<VisitorFrame>(r#"{"type":"message"}"#)
            .err()
            .map(|e| e.code);
        assert_eq!(e, Some(ErrorCode::BadRequest));
        let deep = "[".repeat(10_000);
        let e = decode::<VisitorFrame>(&deep).err().map(|e| e.code);
        assert_eq!(e, Some(ErrorCode::BadRequest));
        assert!(decode::<VisitorFrame>(r#"{"type":"ping"}"#).is_ok());
    }

    /// An unknown value inside a known frame is a malformed frame, not an unknown type
    /// (docs/protocol.md, `status`).
    #[test]
    fn an_unknown_value_in_a_known_frame_is_a_bad_request() {
        let e = decode::<AgentFrame>(r#"{"type":"status","status":"offline"}"#).err();
        let (code, message) = e.map(|e| (e.code, e.message)).unzip();
        assert_eq!(code, Some(ErrorCode::BadRequest));
        assert_eq!(
            message.as_deref(),
            Some(
                "Malformed \"status\" frame: unknown variant `offline`, expected `online` or `away`"
            )
        );
    }
}
