//! An upload's multipart form, read whole (within the route's body limit): the text fields
//! and the one `file`.

use crate::error::{AppError, AppResult};
use crate::services::files::Upload;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use frontdesk_core::ErrorCode;
use std::collections::HashMap;
use utoipa::ToSchema;

/// The most of one text field (site key, token, client id).
const TEXT_MAX: usize = 4096;

/// An upload (multipart/form-data).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file (its name is the uploader's; the type is decided from the content).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// The sender's idempotency key.
    pub client_id: Option<String>,
    /// Visitor uploads: the site key.
    pub site: Option<String>,
    /// Visitor uploads: the visitor's token (from `welcome`).
    pub token: Option<String>,
}

pub struct Form {
    texts: HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
}

fn unreadable(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::new(
            ErrorCode::FileTooLarge,
            "The file is larger than this server accepts.",
        )
    } else {
        AppError::bad_request(format!("The upload could not be read: {}", e.body_text()))
    }
}

/// Reads every field: `file` (the first one; later ones are refused), text fields up to
/// [`TEXT_MAX`] bytes.
pub async fn read(mut multipart: Multipart) -> AppResult<Form> {
    let mut form = Form {
        texts: HashMap::new(),
        file: None,
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            if form.file.is_some() {
                return Err(AppError::bad_request("One file per upload."));
            }
            let claimed = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            form.file = Some((claimed, bytes.to_vec()));
        } else {
            let text = field.text().await.map_err(unreadable)?;
            if text.len() > TEXT_MAX {
                return Err(AppError::bad_request(format!(
                    "The field {name} is too long."
                )));
            }
            form.texts.insert(name, text);
        }
    }
    Ok(form)
}

impl Form {
    /// A required text field.
    pub fn text(&self, name: &str) -> AppResult<&str> {
        self.texts
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| AppError::bad_request(format!("The field {name} is missing.")))
    }

    /// The file with its claimed name and the optional client id.
    pub fn upload(self) -> AppResult<Upload> {
        let (name, bytes) = self
            .file
            .ok_or_else(|| AppError::bad_request("The field file is missing."))?;
        Ok(Upload {
            name,
            bytes,
            client_id: self.texts.get("client_id").cloned().unwrap_or_default(),
        })
    }
}
