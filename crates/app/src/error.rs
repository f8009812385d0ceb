//! `AppError`: what a use case can answer besides success, without HTTP.
//!
//! Policy: a use case says *what* went wrong (not found, a conflict with the current
//! state, invalid input field by field, a provider refusal, a dependency down); the API
//! maps each kind to a status and its JSON shape in one place, the worker to retry or
//! dead. Database errors travel as they are and are classified by the caller's mapping.

use serde::Serialize;
use trove_integrations::secrets::SecretsError;
use trove_integrations::shopify::ShopifyError;
use trove_integrations::stripe::StripeError;
use utoipa::ToSchema;

type Cause = Box<dyn std::error::Error + Send + Sync>;

/// One field's validation problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing visible to the caller under that id.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request is at odds with the current state (`code` is stable, snake_case).
    #[error("conflict ({code}): {message}")]
    Conflict {
        code: &'static str,
        message: String,
        details: Option<serde_json::Value>,
    },
    /// Input that can never work, one entry per field.
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The caller may not do this (beyond what the API's own guards check).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Input that is not what the endpoint takes at all (a bad signature, not an event).
    #[error("malformed ({code}): {message}")]
    Malformed { code: &'static str, message: String },
    /// A feature this installation is not configured for; retrying will not help until it is.
    #[error("not configured ({code}): {message}")]
    NotConfigured { code: &'static str, message: String },
    /// It existed but is over for good (an expired invitation).
    #[error("gone ({code}): {message}")]
    Gone { code: &'static str, message: String },
    /// Input refused as a whole for a reason with its own code.
    #[error("rejected ({code}): {message}")]
    Rejected { code: &'static str, message: String },
    /// The caller's credentials for this input are wrong (a webhook signature).
    #[error("unauthenticated ({code}): {message}")]
    Unauthenticated { code: &'static str, message: String },
    /// Stripe refused, answered oddly or could not be reached.
    #[error(transparent)]
    Stripe(#[from] StripeError),
    /// Shopify refused, answered oddly or could not be reached.
    #[error(transparent)]
    Shopify(#[from] ShopifyError),
    /// A stored credential could not be sealed or opened (the key service, or the key).
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    /// A broken invariant: reported, never shown.
    #[error("internal: {0}")]
    Internal(Cause),
}

impl AppError {
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    /// `No such {what}.`: the one answer for an id the caller cannot see.
    pub fn no_such(what: &str) -> Self {
        Self::NotFound(format!("No such {what}."))
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn internal(cause: impl Into<Cause>) -> Self {
        Self::Internal(cause.into())
    }

    pub fn malformed(code: &'static str, message: impl Into<String>) -> Self {
        Self::Malformed {
            code,
            message: message.into(),
        }
    }

    /// A 422-style refusal of a single field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }
}

/// `text` with its first letter upper-cased, for messages built from lower-case parts.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Collects field problems so a caller sees every mistake at once.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    /// Records `message` against `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records `message` against `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.push(field, message);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was recorded, else `Invalid` listing every problem.
    pub fn finish(&mut self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(std::mem::take(&mut self.0)))
        }
    }
}
