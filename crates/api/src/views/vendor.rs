//! How a vendor reads in answers (its own members and the admin's list).

use chrono::{DateTime, Utc};
use serde::Serialize;
use trove_data_access::entities::vendor;
use trove_domain::vendor::OnboardingStatus;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct VendorView {
    pub id: Uuid,
    pub name: String,
    /// `profile`, `stripe` or `live`.
    #[schema(value_type = String)]
    pub onboarding_status: OnboardingStatus,
    pub contact_email: Option<String>,
    pub slack_webhook_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<vendor::Model> for VendorView {
    fn from(vendor: vendor::Model) -> Self {
        Self {
            id: vendor.id,
            name: vendor.name,
            onboarding_status: vendor.onboarding_status,
            contact_email: vendor.contact_email,
            slack_webhook_url: vendor.slack_webhook_url,
            created_at: vendor.created_at.and_utc(),
        }
    }
}
