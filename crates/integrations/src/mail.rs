//! Sending email: over SMTP (lettre), or into a local outbox folder as `.eml` files in the
//! embedded mode.
//!
//! SMTP replies are classified for the caller: 4xx and connection trouble are transient
//! (retry later), 5xx permanent (the job is dead with the server's reason). The outbox
//! names each file after the message id, so delivering the same job twice writes one file.

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::time::Duration;
use trove_bootstrap::settings::{MailSettings, MailTransport, SmtpSecurity};

/// A rendered email, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// Stable per job (`<job-id@trove>`), so a retried delivery is recognisably the same.
    pub message_id: String,
    pub from_name: String,
    pub from_address: String,
    pub reply_to: Option<String>,
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
}

#[async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError>;
    /// Whether mail can go out right now (the server answers, the folder is writable).
    async fn check(&self) -> Result<(), String>;
}

/// The mailer the settings ask for.
pub fn from_settings(settings: &MailSettings) -> Result<Box<dyn Mailer>, MailError> {
    Ok(match settings.transport {
        MailTransport::Outbox => Box::new(OutboxMailer {
            dir: PathBuf::from(&settings.outbox_dir),
        }),
        MailTransport::Smtp => Box::new(SmtpMailer::new(settings)?),
    })
}

fn build_message(email: &OutgoingEmail) -> Result<Message, MailError> {
    let invalid = |what: &str, error: &dyn std::fmt::Display| {
        MailError::Permanent(format!("invalid {what}: {error}"))
    };
    let from = Mailbox::new(
        Some(email.from_name.clone()),
        email
            .from_address
            .parse()
            .map_err(|e| invalid("sender", &e))?,
    );
    let to: Mailbox = email.to.parse().map_err(|e| invalid("recipient", &e))?;
    let mut builder = Message::builder()
        .message_id(Some(email.message_id.clone()))
        .from(from)
        .to(to)
        .subject(email.subject.clone());
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(reply_to.parse().map_err(|e| invalid("reply-to", &e))?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ))
        .map_err(|error| invalid("message", &error))
}

/// Delivery through an SMTP server.
#[derive(Debug)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    pub fn new(settings: &MailSettings) -> Result<Self, MailError> {
        let host = settings.smtp_host.as_str();
        let misconfigured = |error: lettre::transport::smtp::Error| {
            MailError::Permanent(format!("SMTP settings are unusable: {error}"))
        };
        let mut builder = match settings.smtp_security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(misconfigured)?
            }
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(misconfigured)?
            }
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        builder = builder
            .port(settings.smtp_port)
            .timeout(Some(Duration::from_secs(settings.timeout_seconds)));
        if let (Some(user), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = build_message(email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(MailError::Permanent(error.to_string())),
            Err(error) => Err(MailError::Transient(error.to_string())),
        }
    }

    async fn check(&self) -> Result<(), String> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the SMTP server did not accept a connection".into()),
            Err(error) => Err(error.to_string()),
        }
    }
}

/// The embedded mode's "delivery": one `.eml` file per message in a folder.
#[derive(Debug)]
pub struct OutboxMailer {
    pub dir: PathBuf,
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), MailError> {
        let message = build_message(email)?;
        let name: String = email
            .message_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("{name}.eml"));
        let write = async {
            tokio::fs::create_dir_all(&self.dir).await?;
            tokio::fs::write(&path, message.formatted()).await
        };
        write.await.map_err(|error| {
            MailError::Transient(format!("cannot write {}: {error}", path.display()))
        })
    }

    async fn check(&self) -> Result<(), String> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|error| format!("the outbox folder is not writable: {error}"))?;
        let metadata = tokio::fs::metadata(&self.dir)
            .await
            .map_err(|error| error.to_string())?;
        if metadata.permissions().readonly() {
            return Err("the outbox folder is read-only".into());
        }
        Ok(())
    }
}
