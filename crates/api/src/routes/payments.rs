//! A vendor's Stripe Connect account: create an Express account and onboard through an
//! Account Link (single use, minutes; ask for a fresh one when it expired), or connect an
//! existing account through Connect OAuth; read its status (kept up to date by
//! `account.updated` webhooks); reset the connection. Changing the connection is for
//! owners (and admins); any member may read the status.

use crate::auth::TokenType;
use crate::auth::guards::{OAuthState, StripeConnect, VendorAccess};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trove_app::payments::connect;
use trove_data_access::entities::payment_account;
use trove_data_access::payment_accounts;
use trove_domain::payment::{AccountKind, OnboardingStatus};
use trove_integrations::stripe::OnboardingLink;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentAccountView {
    /// `not_connected`, `pending` (details not submitted), `restricted` (Stripe needs
    /// something) or `enabled`.
    pub status: String,
    /// Card checkout is open for this vendor's storefronts.
    pub can_accept_payments: bool,
    pub stripe_account_id: Option<String>,
    /// `express` (created here) or `standard` (connected through OAuth).
    #[schema(value_type = Option<String>)]
    pub kind: Option<AccountKind>,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    pub disabled_reason: Option<String>,
    pub requirements_due: Vec<String>,
    pub capabilities: BTreeMap<String, String>,
}

impl PaymentAccountView {
    fn of(account: Option<&payment_account::Model>) -> Self {
        let Some(account) = account.filter(|account| account.stripe_account_id.is_some()) else {
            return Self {
                status: OnboardingStatus::NotConnected.as_str().to_owned(),
                can_accept_payments: false,
                stripe_account_id: None,
                kind: None,
                charges_enabled: false,
                payouts_enabled: false,
                details_submitted: false,
                disabled_reason: None,
                requirements_due: Vec::new(),
                capabilities: BTreeMap::new(),
            };
        };
        let state = payment_accounts::state_of(account);
        Self {
            status: state.onboarding_status().as_str().to_owned(),
            can_accept_payments: state.can_accept_payments(),
            stripe_account_id: account.stripe_account_id.clone(),
            kind: Some(account.kind),
            charges_enabled: state.charges_enabled,
            payouts_enabled: state.payouts_enabled,
            details_submitted: state.details_submitted,
            disabled_reason: state.disabled_reason,
            requirements_due: state.requirements_due,
            capabilities: state.capabilities,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardingLinkView {
    /// Send the vendor here; it works once.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

impl From<OnboardingLink> for OnboardingLinkView {
    fn from(link: OnboardingLink) -> Self {
        Self {
            url: link.url,
            expires_at: DateTime::from_timestamp(link.expires_at, 0).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPaymentAccount {
    pub account: PaymentAccountView,
    pub onboarding: OnboardingLinkView,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPaymentAccount {
    /// ISO 3166-1 alpha-2 country of the business; Stripe's platform country when absent.
    #[schema(pattern = "^[A-Za-z]{2}$")]
    pub country: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthStart {
    /// Send the vendor here to pick their existing Stripe account.
    pub authorize_url: String,
}

/// The vendor's Stripe account and what it allows.
#[utoipa::path(
    tag = "payments",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = PaymentAccountView),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/payments/account")]
pub async fn get_payment_account(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<web::Json<PaymentAccountView>, ApiError> {
    let account = payment_accounts::find(&state.db, access.vendor_id()).await?;
    Ok(web::Json(PaymentAccountView::of(account.as_ref())))
}

/// Creates the vendor's Express account and returns its first onboarding link. A retry
/// after a failure reaches the same Stripe account (the request is keyed by the pending
/// connection), so no second account is made.
#[utoipa::path(
    tag = "payments",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    request_body(content = NewPaymentAccount, description = "Optional."),
    responses(
        (status = 201, description = "Created; send the vendor to `onboarding.url`.", body = CreatedPaymentAccount),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "Already connected (`already_connected`), or payments not configured.", body = ErrorBody),
        (status = 422, description = "Invalid country.", body = ErrorBody),
        (status = 502, description = "Stripe refused the request.", body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; try again.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/payments/account")]
pub async fn create_payment_account(
    state: web::Data<AppState>,
    access: VendorAccess,
    body: Option<web::Json<NewPaymentAccount>>,
) -> Result<HttpResponse, ApiError> {
    access.require_owner()?;
    let body = body.map(web::Json::into_inner).unwrap_or_default();
    let country = body.country.map(|c| c.trim().to_ascii_uppercase());
    Fields::default()
        .check(
            country
                .as_deref()
                .is_none_or(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())),
            "country",
            "must be an ISO 3166-1 alpha-2 code",
        )
        .finish()?;
    let (account, link) =
        connect::create_express_account(&state.app, &access.vendor, country.as_deref()).await?;
    Ok(HttpResponse::Created().json(CreatedPaymentAccount {
        account: PaymentAccountView::of(Some(&account)),
        onboarding: link.into(),
    }))
}

/// A fresh onboarding link (the previous one expired or was used).
#[utoipa::path(
    tag = "payments",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses(
        (status = 201, description = "A new single-use link.", body = OnboardingLinkView),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "No Stripe account connected, or payments not configured.", body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; try again.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/payments/account/links")]
pub async fn refresh_onboarding_link(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<HttpResponse, ApiError> {
    access.require_owner()?;
    let link = connect::refresh_link(&state.app, access.vendor_id()).await?;
    Ok(HttpResponse::Created().json(OnboardingLinkView::from(link)))
}

/// Starts connecting an existing Stripe account (Connect OAuth): the answer's URL leads
/// the vendor to Stripe, which returns to the Admin Portal with `code` and `state`.
#[utoipa::path(
    tag = "payments",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses(
        (status = 200, description = "Where to send the vendor.", body = OAuthStart),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "No such vendor, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "Already connected, or payments/Connect OAuth not configured.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/payments/account/oauth")]
pub async fn start_payment_oauth(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<web::Json<OAuthStart>, ApiError> {
    access.require_owner()?;
    let token = state.authenticator.issue_oauth_state(
        TokenType::StripeOauth,
        access.vendor.id,
        &Uuid::new_v4().to_string(),
    )?;
    let authorize_url =
        connect::oauth_authorize_url(&state.app, access.vendor_id(), &token).await?;
    Ok(web::Json(OAuthStart { authorize_url }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OAuthCallback {
    /// The authorization code Stripe returned.
    pub code: Option<String>,
    /// Stripe's error when the vendor declined.
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Completes Connect OAuth: the Admin Portal passes on the `code` and `state` Stripe
/// returned. The state (single use, 10 minutes) names the vendor.
#[utoipa::path(
    tag = "payments",
    params(
        OAuthCallback,
        ("state" = String, Query, description = "The state issued by the OAuth start."),
    ),
    responses(
        (status = 200, description = "Connected.", body = PaymentAccountView),
        (status = 401, description = "Missing, invalid, expired or already used state.", body = ErrorBody),
        (status = 409, description = "The vendor is already connected, or the account belongs to another vendor.", body = ErrorBody),
        (status = 422, description = "No code (the vendor declined at Stripe).", body = ErrorBody),
        (status = 502, description = "Stripe refused the code.", body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; try again.", body = ErrorBody),
    )
)]
#[post("/api/v1/payments/oauth/callback")]
pub async fn complete_payment_oauth(
    state: web::Data<AppState>,
    oauth: OAuthState<StripeConnect>,
    query: web::Query<OAuthCallback>,
) -> Result<web::Json<PaymentAccountView>, ApiError> {
    state.app.stripe()?;
    let Some(code) = query.code.as_deref().filter(|code| !code.is_empty()) else {
        let reason = query
            .error_description
            .clone()
            .or_else(|| query.error.clone())
            .unwrap_or_else(|| "no authorization code".into());
        return Err(ApiError::validation(vec![crate::error::FieldError {
            field: "code".into(),
            message: reason,
        }]));
    };
    let connected = connect::complete_oauth(&state.app, oauth.vendor_id, code).await?;
    Ok(web::Json(PaymentAccountView::of(Some(&connected))))
}

/// Forgets the vendor's Stripe account here (the account itself stays at Stripe). Card
/// checkout stops until an account is connected again.
#[utoipa::path(
    tag = "payments",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Reset."),
        (status = 403, description = "Not an owner of this vendor.", body = ErrorBody),
        (status = 404, description = "No such vendor or no connection.", body = ErrorBody),
    )
)]
#[delete("/api/v1/vendors/{vendor_id}/payments/account")]
pub async fn reset_payment_account(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<HttpResponse, ApiError> {
    access.require_owner()?;
    connect::reset(&state.app, access.vendor_id()).await?;
    Ok(HttpResponse::NoContent().finish())
}
