//! Trove's application layer: the business rules, once each.
//!
//! Policy: one module per use case or aggregate (checkout, payments, orders, gifts,
//! refunds, …). A use case owns its unit of work: it opens the transaction
//! ([`UnitOfWork`]), calls data-access repositories, emits [`events::DomainEvent`]s and
//! commits; the subscribers registered in [`subscribers`] turn those events into outbox
//! jobs inside the same transaction. No use case calls an outside system (Stripe, S3,
//! SMTP, Slack) while a transaction is open: it records its intent, commits, calls with a
//! deterministic idempotency key, then commits the result in a second unit of work.
//!
//! Callers (the API's route handlers, the worker's job handlers) extract their input,
//! call one use case and map its answer; they never open transactions themselves. This
//! crate knows nothing of HTTP: its errors are [`AppError`]s the API maps to statuses.
//! Its input and output types derive `serde` and `utoipa::ToSchema`, so the API can
//! take and return them as they are.

pub mod catalogue;
pub mod checkout;
pub mod error;
pub mod events;
pub mod gifts;
pub mod idempotency;
pub mod members;
pub mod orders;
pub mod payments;
pub mod recipient_lists;
pub mod shipments;
pub mod shipping;
pub mod shopify;
pub mod subscribers;
mod unit_of_work;

pub use error::{AppError, FieldError, Fields};
pub use unit_of_work::UnitOfWork;

use sea_orm::DatabaseConnection;
use trove_bootstrap::Settings;
use trove_bootstrap::settings::{OrderSettings, StripeSettings};
use trove_integrations::secrets::{SecretBox, SecretsError};
use trove_integrations::shopify::{ShopifyClient, ShopifyError};
use trove_integrations::stripe::{StripeClient, StripeError};

/// What every use case may reach: the database, the order rules from settings, the box
/// stored credentials are sealed in and, when configured, Stripe and Shopify. Built once
/// per process and cloned cheaply.
#[derive(Debug, Clone)]
pub struct App {
    pub db: DatabaseConnection,
    pub orders: OrderSettings,
    /// `None` when no Stripe secret key is configured: card payments are off.
    pub stripe: Option<StripeClient>,
    /// Webhook secrets, onboarding and OAuth return addresses.
    pub stripe_settings: StripeSettings,
    /// `None` when no Shopify app credentials are configured.
    pub shopify: Option<ShopifyClient>,
    pub secrets: SecretBox,
}

/// Why the application layer could not be built from settings.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("stripe settings are unusable: {0}")]
    Stripe(#[from] StripeError),
    #[error("shopify settings are unusable: {0}")]
    Shopify(#[from] ShopifyError),
    #[error("secrets settings are unusable: {0}")]
    Secrets(#[from] SecretsError),
}

impl App {
    /// The application layer `settings` describe, around an open pool.
    pub async fn from_settings(
        db: DatabaseConnection,
        settings: &Settings,
    ) -> Result<Self, SetupError> {
        Ok(Self {
            db,
            orders: settings.orders.clone(),
            stripe: StripeClient::from_settings(&settings.stripe)?,
            stripe_settings: settings.stripe.clone(),
            shopify: ShopifyClient::from_settings(&settings.shopify)?,
            secrets: SecretBox::from_settings(&settings.secrets, &settings.aws).await?,
        })
    }

    /// The Shopify app, or an answer that Shopify is not configured here.
    pub fn shopify(&self) -> Result<&ShopifyClient, AppError> {
        self.shopify
            .as_ref()
            .ok_or_else(|| AppError::NotConfigured {
                code: "shopify_not_configured",
                message: "Shopify is not configured on this installation (no app key and secret)."
                    .into(),
            })
    }

    /// The Stripe client, or a conflict when card payments are not configured.
    pub fn stripe(&self) -> Result<&StripeClient, AppError> {
        self.stripe.as_ref().ok_or_else(|| {
            AppError::conflict(
                "payments_not_configured",
                "Card payments are not configured on this installation (no Stripe key).",
            )
        })
    }
}
