//! Vendors: onboarding a new one, reading and changing its settings, onboarding status.

use crate::auth::guards::{StaffUser, VendorAccess};
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use crate::validation::{Fields, is_name};
use crate::views::vendor::VendorView;
use actix_web::{HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use trove_app::idempotency;
use trove_data_access::vendors::{self, VendorChanges};
use trove_domain::email::Email;
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVendor {
    /// The brand's name, 1–200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(format = Email)]
    pub contact_email: Option<String>,
}

/// Fields to change; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorPatch {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::validation::present")]
    #[schema(value_type = Option<String>, format = Email)]
    pub contact_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validation::present")]
    /// A Slack incoming webhook, `https://hooks.slack.com/…`, at most 500 characters.
    #[schema(value_type = Option<String>, max_length = 500, pattern = "^https://hooks\\.slack\\.com/")]
    pub slack_webhook_url: Option<Option<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardingStep {
    pub step: String,
    pub done: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardingView {
    pub status: String,
    pub steps: Vec<OnboardingStep>,
}

fn parse_email(fields: &mut Fields, field: &str, raw: Option<&str>) -> Option<String> {
    let parsed = raw.map(Email::parse);
    fields.check(
        parsed.as_ref().is_none_or(Result::is_ok),
        field,
        "must be an email address",
    );
    parsed.and_then(Result::ok).map(|email| email.to_string())
}

fn is_slack_webhook(url: &str) -> bool {
    url.starts_with("https://hooks.slack.com/") && url.len() <= 500
}

/// Onboards a vendor; the caller becomes its owner.
#[utoipa::path(
    tag = "vendors",
    security(("bearer" = [])),
    params(Idempotency),
    request_body = NewVendor,
    responses(
        (status = 201, description = "Created.", body = VendorView),
        (status = 400, description = "Malformed Idempotency-Key.", body = ErrorBody),
        (status = 401, description = "No or an invalid token.", body = ErrorBody),
        (status = 409, description = "A request with this Idempotency-Key is still running.", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the key was used with another body.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors")]
pub async fn create_vendor(
    state: web::Data<AppState>,
    staff: StaffUser,
    idempotency: Idempotency,
    body: web::Json<NewVendor>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut fields = Fields::default();
    fields.check(is_name(&body.name), "name", "must be 1 to 200 characters");
    let contact_email = parse_email(&mut fields, "contact_email", body.contact_email.as_deref());
    fields.finish()?;
    let key = idempotency.key(format!("vendors:{}", staff.id()), &body)?;
    let answer = idempotency::create_once(&state.app, key, async |uow| {
        let vendor =
            vendors::create_with_owner(&**uow, body.name.trim(), contact_email, staff.id()).await?;
        Ok(VendorView::from(vendor))
    })
    .await?;
    Ok(crate::idempotency::respond(answer))
}

/// One vendor the caller belongs to (404 for any other).
#[utoipa::path(
    tag = "vendors",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses((status = 200, description = "OK.", body = VendorView), (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody))
)]
#[get("/api/v1/vendors/{vendor_id}")]
pub async fn get_vendor(access: VendorAccess) -> web::Json<VendorView> {
    web::Json(VendorView::from(access.vendor))
}

/// Changes a vendor's settings (owners only).
#[utoipa::path(
    tag = "vendors",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    request_body = VendorPatch,
    responses(
        (status = 200, description = "OK.", body = VendorView),
        (status = 403, description = "Not an owner.", body = ErrorBody),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[patch("/api/v1/vendors/{vendor_id}")]
pub async fn update_vendor(
    state: web::Data<AppState>,
    access: VendorAccess,
    body: web::Json<VendorPatch>,
) -> Result<web::Json<VendorView>, ApiError> {
    access.require_owner()?;
    let body = body.into_inner();
    let mut fields = Fields::default();
    fields.check(
        body.name.as_deref().is_none_or(is_name),
        "name",
        "must be 1 to 200 characters",
    );
    let contact_email = match &body.contact_email {
        Some(Some(raw)) => Some(parse_email(&mut fields, "contact_email", Some(raw))),
        Some(None) => Some(None),
        None => None,
    };
    fields.check(
        body.slack_webhook_url
            .as_ref()
            .is_none_or(|url| url.as_deref().is_none_or(is_slack_webhook)),
        "slack_webhook_url",
        "must be a Slack incoming webhook URL (https://hooks.slack.com/…)",
    );
    fields.finish()?;
    let changes = VendorChanges {
        name: body.name.map(|name| name.trim().to_owned()),
        contact_email,
        slack_webhook_url: body.slack_webhook_url,
    };
    let vendor = vendors::update(&state.db, access.vendor, changes).await?;
    Ok(web::Json(VendorView::from(vendor)))
}

/// Where the vendor stands on the way to selling: profile → Stripe → live.
#[utoipa::path(
    tag = "vendors",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses((status = 200, description = "OK.", body = OnboardingView), (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody))
)]
#[get("/api/v1/vendors/{vendor_id}/onboarding")]
pub async fn get_onboarding(access: VendorAccess) -> Result<web::Json<OnboardingView>, ApiError> {
    let status = access.vendor.onboarding_status;
    Ok(web::Json(OnboardingView {
        status: status.as_str().to_owned(),
        steps: status
            .steps()
            .into_iter()
            .map(|(step, done)| OnboardingStep {
                step: step.as_str().to_owned(),
                done,
            })
            .collect(),
    }))
}
