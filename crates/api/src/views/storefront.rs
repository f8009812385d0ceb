//! How a storefront reads in answers: its branding and content blocks and the view the
//! vendor, the public catalogue and the gift page share.

use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use trove_data_access::entities::storefront;
use trove_domain::storefront::{DeliveryMethod, FeeTransferMode, StorefrontStatus};
use trove_domain::upload::UploadPurpose;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// `#RRGGBB`.
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$")]
    pub primary_colour: Option<String>,
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$")]
    pub secondary_colour: Option<String>,
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$")]
    pub accent_colour: Option<String>,
    /// A confirmed `storefront_logo` upload.
    pub logo_upload_id: Option<Uuid>,
    /// A confirmed `storefront_banner` upload.
    pub banner_upload_id: Option<Uuid>,
    /// A confirmed `storefront_favicon` upload.
    pub favicon_upload_id: Option<Uuid>,
}

impl Branding {
    /// The uploads the branding uses, with the field and purpose each needs.
    pub fn attachments(&self) -> Vec<crate::attachments::Attachment<'static>> {
        [
            (
                "branding.logo_upload_id",
                self.logo_upload_id,
                UploadPurpose::StorefrontLogo,
            ),
            (
                "branding.banner_upload_id",
                self.banner_upload_id,
                UploadPurpose::StorefrontBanner,
            ),
            (
                "branding.favicon_upload_id",
                self.favicon_upload_id,
                UploadPurpose::StorefrontFavicon,
            ),
        ]
        .into_iter()
        .filter_map(|(field, id, purpose)| id.map(|id| (field, id, purpose)))
        .collect()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Content {
    #[schema(max_length = 200)]
    pub banner_text: Option<String>,
    #[schema(max_length = 200)]
    pub heading: Option<String>,
    #[schema(max_length = 2000)]
    pub short_description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StorefrontView {
    pub id: Uuid,
    pub slug: String,
    pub custom_domain: Option<String>,
    pub name: String,
    /// `for_review`, `active`, `inactive`, `demo` or `trashed`.
    #[schema(value_type = String)]
    pub status: StorefrontStatus,
    #[schema(value_type = Vec<String>)]
    pub delivery_methods: Vec<DeliveryMethod>,
    #[schema(value_type = String)]
    pub fee_transfer_mode: FeeTransferMode,
    pub gift_notes: bool,
    pub show_stock: bool,
    pub branding: Branding,
    pub content: Content,
    /// Whether shoppers need the password (exchanged for a storefront session).
    pub password_protected: bool,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<storefront::Model> for StorefrontView {
    type Error = ApiError;

    fn try_from(row: storefront::Model) -> Result<Self, ApiError> {
        let stored = |error: serde_json::Error| {
            ApiError::internal(format!("stored storefront JSON: {error}"))
        };
        Ok(Self {
            id: row.id,
            slug: row.slug,
            custom_domain: row.custom_domain,
            name: row.name,
            status: row.status,
            delivery_methods: serde_json::from_str(&row.delivery_methods).map_err(stored)?,
            fee_transfer_mode: row.fee_transfer_mode,
            gift_notes: row.gift_notes,
            show_stock: row.show_stock,
            branding: serde_json::from_str(&row.branding).map_err(stored)?,
            content: serde_json::from_str(&row.content).map_err(stored)?,
            password_protected: row.password_hash.is_some(),
            created_at: row.created_at.and_utc(),
        })
    }
}
