//! One error type for the shell, mapped to HTTP responses and WebSocket error frames in
//! this one place. Every error has a machine code (see `docs/protocol.md`) and a human message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use frontdesk_core::ErrorCode;
use frontdesk_core::error::ChatError;
use frontdesk_core::link::LinkError;
use frontdesk_core::protocol::ErrorFrame;
use frontdesk_core::routing::RoutingError;
use frontdesk_core::store::StoreError;
use frontdesk_core::tags::TagError;
use frontdesk_core::text::TextError;
use serde::Serialize;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
        }
    }
    pub fn not_found() -> AppError {
        AppError::new(ErrorCode::NotFound, "No such object.")
    }
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::BadRequest, message)
    }
    pub fn forbidden() -> AppError {
        AppError::new(ErrorCode::Forbidden, "You are not allowed to do that.")
    }
    pub fn unauthorized() -> AppError {
        AppError::new(ErrorCode::Unauthorized, "Please sign in.")
    }
    pub fn rate_limited() -> AppError {
        AppError::new(ErrorCode::RateLimited, "Too many requests; slow down.")
    }
    pub fn internal(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Internal, message)
    }

    pub fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::LowContrast
            | ErrorCode::BadRequest
            | ErrorCode::UnknownType
            | ErrorCode::TooLong
            | ErrorCode::Empty
            | ErrorCode::InvalidLink
            | ErrorCode::InvalidTarget => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized | ErrorCode::BadCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden
            | ErrorCode::OriginRefused
            | ErrorCode::Blocked
            | ErrorCode::Closed => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::ChatTaken
            | ErrorCode::ChatEnded
            | ErrorCode::NotYourChat
            | ErrorCode::OfferedToOther
            | ErrorCode::AtCapacity
            | ErrorCode::ChatOpen
            | ErrorCode::Conflict
            | ErrorCode::Resync => StatusCode::CONFLICT,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::FileTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::FileTypeNotAllowed | ErrorCode::FileRefused => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ErrorCode::TooManyFiles | ErrorCode::RatingClosed => StatusCode::CONFLICT,
            ErrorCode::SearchOff => StatusCode::CONFLICT,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn frame(
        &self,
        reference: Option<String>,
        chat_id: Option<frontdesk_core::ChatId>,
    ) -> ErrorFrame {
        ErrorFrame {
            reference,
            code: self.code,
            message: self.message.clone(),
            chat_id,
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: ErrorCode,
    message: &'a str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status().is_server_error() {
            tracing::error!(code = self.code.as_str(), message = %self.message, "request failed");
        }
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
        };
        (self.status(), Json(body)).into_response()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::not_found(),
            StoreError::Conflict(what) => AppError::new(
                ErrorCode::Conflict,
                format!("That {what} is already taken."),
            ),
            StoreError::Unavailable(detail) => {
                tracing::error!(%detail, "storage unavailable");
                AppError::new(
                    ErrorCode::Unavailable,
                    "Storage is unavailable; nothing was stored. Try again.",
                )
            }
        }
    }
}

impl From<ChatError> for AppError {
    fn from(e: ChatError) -> AppError {
        AppError::new(e.code(), e.to_string())
    }
}

impl From<RoutingError> for AppError {
    fn from(e: RoutingError) -> AppError {
        AppError::new(e.code(), e.to_string())
    }
}

impl From<TextError> for AppError {
    fn from(e: TextError) -> AppError {
        match e {
            TextError::Empty => AppError::new(ErrorCode::Empty, "The text is empty."),
            TextError::TooLong { max } => AppError::new(
                ErrorCode::TooLong,
                format!("The text is longer than {max} characters."),
            ),
        }
    }
}

impl From<TagError> for AppError {
    fn from(e: TagError) -> AppError {
        let code = match e {
            TagError::Empty => ErrorCode::Empty,
            TagError::TooLong { .. } | TagError::TooMany { .. } => ErrorCode::TooLong,
            TagError::ControlCharacter => ErrorCode::BadRequest,
        };
        let mut message = e.to_string();
        if let Some(first) = message.get(..1) {
            message = format!("{}{}.", first.to_uppercase(), &message[1..]);
        }
        AppError::new(code, message)
    }
}

impl From<frontdesk_core::files::FileRefusal> for AppError {
    fn from(e: frontdesk_core::files::FileRefusal) -> AppError {
        AppError::new(e.code(), e.to_string())
    }
}

impl From<LinkError> for AppError {
    fn from(e: LinkError) -> AppError {
        AppError::new(ErrorCode::InvalidLink, e.to_string())
    }
}
