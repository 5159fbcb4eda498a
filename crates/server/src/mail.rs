//! Email through SMTP (lettre): transcripts and offline messages, HTML with a plain-text part.

use crate::config::SmtpSettings;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("could not build the email: {0}")]
    Build(String),
    #[error("the mail server refused or could not be reached: {0}")]
    Send(String),
}

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(s: &SmtpSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|_| MailError::Address(s.from.clone()))?;
        let mut builder = match s.security.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
                .map_err(|e| MailError::Build(e.to_string()))?,
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
                .map_err(|e| MailError::Build(e.to_string()))?,
            _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        }
        .port(s.port);
        if let (Some(user), Some(pass)) = (&s.username, &s.password) {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    pub fn build(
        &self,
        to: &str,
        subject: &str,
        text: String,
        html: String,
    ) -> Result<Message, MailError> {
        build_message(self.from.clone(), to, subject, text, html)
    }

    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        text: String,
        html: String,
    ) -> Result<(), MailError> {
        let msg = self.build(to, subject, text, html)?;
        self.transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Send(e.to_string()))
    }
}

/// A multipart/alternative message (plain text + HTML).
pub fn build_message(
    from: Mailbox,
    to: &str,
    subject: &str,
    text: String,
    html: String,
) -> Result<Message, MailError> {
    let to: Mailbox = to.parse().map_err(|_| MailError::Address(to.to_string()))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| MailError::Build(e.to_string()))
}

/// An `.eml` draft: `X-Unsent: 1` makes Outlook and other mail apps open it as a new message.
pub fn eml_draft(
    from: &str,
    to: Option<&str>,
    subject: &str,
    text: String,
    html: String,
) -> Result<Vec<u8>, MailError> {
    let from: Mailbox = from
        .parse()
        .map_err(|_| MailError::Address(from.to_string()))?;
    let to = to.unwrap_or("recipient@example.invalid");
    let msg = build_message(from, to, subject, text, html)?;
    let mut out = b"X-Unsent: 1\r\n".to_vec();
    out.extend_from_slice(&msg.formatted());
    Ok(out)
}
