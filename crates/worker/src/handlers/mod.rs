//! One handler per job kind, and `registry`, the one place that wires them from settings.
//!
//! Each handler takes its own payload type; the registry decodes it before the handler
//! runs, so a payload that cannot be read is dead on its first attempt with the reason and
//! no handler parses text. Shared helpers for handlers (e.g. error classification) live here.

pub mod notify_slack;
pub mod process_recipient_upload;
pub mod process_shopify_webhook;
pub mod process_stripe_event;
pub mod push_order;
pub mod send_email;
pub mod send_gift;
pub mod sync_products;

use crate::handler::{HandlerRegistry, JobError};
use sea_orm::DatabaseConnection;
use std::time::Duration;
use trove_app::{App, AppError};
use trove_bootstrap::Settings;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("mail: {0}")]
    Mail(#[from] trove_integrations::mail::MailError),
    #[error("http client: {0}")]
    Http(#[from] trove_integrations::slack::ClientError),
    #[error("file storage: {0}")]
    Storage(#[from] trove_integrations::storage::StorageError),
    #[error(transparent)]
    App(#[from] trove_app::SetupError),
}

/// Every handler this worker runs, built from settings.
pub async fn registry(
    db: &DatabaseConnection,
    settings: &Settings,
) -> Result<HandlerRegistry, SetupError> {
    let mailer = trove_integrations::mail::from_settings(&settings.mail)?;
    let slack = trove_integrations::slack::SlackClient::new(Duration::from_secs(10))?;
    let (files, _) =
        trove_integrations::storage::from_settings(&settings.storage, &settings.aws).await?;
    let app = App::from_settings(db.clone(), settings).await?;
    Ok(HandlerRegistry::default()
        .with(send_email::SendEmailHandler::new(
            db.clone(),
            mailer,
            &settings.mail,
        ))
        .with(notify_slack::NotifySlackHandler::new(db.clone(), slack))
        .with(push_order::PushOrderHandler::new(app.clone()))
        .with(send_gift::SendGiftHandler::new(app.clone()))
        .with(process_recipient_upload::ProcessRecipientUploadHandler::new(db.clone(), files))
        .with(process_shopify_webhook::ProcessShopifyWebhookHandler::new(
            app.clone(),
        ))
        .with(sync_products::SyncProductsHandler::new(app.clone()))
        .with(process_stripe_event::ProcessStripeEventHandler::new(app)))
}

/// A database error while loading what a job needs: worth retrying.
pub fn transient(error: sea_orm::DbErr) -> JobError {
    JobError::Transient(format!("database: {error}"))
}

/// A use case's refusal, for the retry policy: the database or a provider being down is
/// worth retrying; anything the use case rejected on its merits never will work.
pub fn from_app(error: AppError) -> JobError {
    match error {
        AppError::Database(error) => transient(error),
        AppError::Stripe(trove_integrations::stripe::StripeError::Unavailable(reason)) => {
            JobError::Transient(format!("stripe: {reason}"))
        }
        AppError::Shopify(
            error @ trove_integrations::shopify::ShopifyError::Unavailable { .. },
        ) => JobError::Transient(format!("shopify: {error}")),
        AppError::Secrets(error @ trove_integrations::secrets::SecretsError::Unavailable(_)) => {
            JobError::Transient(format!("secrets: {error}"))
        }
        other => JobError::Permanent(other.to_string()),
    }
}
