//! The error body every REST failure carries, and the extractors that keep every failure in
//! that shape (a malformed JSON body, query or id never answers with axum's own text).

use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use frontdesk_core::ErrorCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// Every error answer: HTTP status plus a machine code and a human message.
#[derive(Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// Machine-readable code (the same list as on the WebSockets).
    pub code: ErrorCode,
    /// Human-readable text, safe to show.
    pub message: String,
}

/// A path id: a positive decimal integer. Anything else is "no such object" (404), exactly
/// like an id that does not exist, so the type of the id is never revealed.
pub fn parse_id(raw: &str) -> AppResult<i64> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::not_found());
    }
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(AppError::not_found)
}

/// `Json<T>` whose rejection is a `bad_request` error body.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| JsonBody(v))
            .map_err(|e| AppError::bad_request(e.body_text()))
    }
}

/// `Query<T>` whose rejection is a `bad_request` error body.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| QueryParams(v))
            .map_err(|e| AppError::bad_request(e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn ids_are_positive_integers_or_not_found() {
        assert_eq!(parse_id("42").ok(), Some(42));
        for bad in [
            "",
            "x",
            "1abc",
            "-1",
            "0",
            "+1",
            " 1",
            "1.0",
            "99999999999999999999",
        ] {
            let err = parse_id(bad).err().map(|e| e.code);
            assert_eq!(err, Some(frontdesk_core::ErrorCode::NotFound), "{bad:?}");
        }
    }
}
