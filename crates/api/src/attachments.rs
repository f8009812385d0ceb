//! Files as other resources use them: checking that the uploads a body attaches are ready
//! uploads of the same vendor made for that field's purpose, and turning a signed storage
//! request into the absolute URL a client follows.

use crate::error::ApiError;
use crate::state::AppState;
use crate::validation::Fields;
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use trove_data_access::uploads;
use trove_domain::ids::VendorId;
use trove_domain::upload::{UploadPurpose, UploadStatus};
use trove_integrations::storage::SignedRequest;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedRequestView {
    /// `PUT` or `GET`.
    pub method: &'static str,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    pub expires_at: DateTime<Utc>,
}

/// The absolute form of a signed request: the local store's URLs are paths on this API.
pub fn signed_view(
    request: &HttpRequest,
    state: &AppState,
    signed: SignedRequest,
    ttl: Duration,
) -> SignedRequestView {
    let url = if signed.url.starts_with('/') {
        let base = state.storage.public_base_url.clone().unwrap_or_else(|| {
            let info = request.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        });
        format!("{}{}", base.trim_end_matches('/'), signed.url)
    } else {
        signed.url
    };
    SignedRequestView {
        method: signed.method,
        url,
        headers: signed.headers.into_iter().collect(),
        expires_at: Utc::now()
            + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::zero()),
    }
}

/// One file a body wants to attach: the field naming it, the upload id, the purpose the
/// field needs.
pub type Attachment<'a> = (&'a str, Uuid, UploadPurpose);

/// Checks that every attachment is a ready upload of `vendor` made for its field's
/// purpose. Unknown ids and other vendors' are 404 (nothing about them is revealed); the
/// vendor's own uploads that are unconfirmed or made for another purpose are 422.
pub async fn require_attachable(
    state: &AppState,
    vendor: VendorId,
    attachments: &[Attachment<'_>],
) -> Result<(), ApiError> {
    let ids: Vec<Uuid> = attachments.iter().map(|(_, id, _)| *id).collect();
    let found = uploads::find_many(&state.db, vendor, &ids).await?;
    let mut fields = Fields::default();
    for (field, id, purpose) in attachments {
        let Some(upload) = found.iter().find(|upload| upload.id == *id) else {
            return Err(ApiError::not_found(format!("No such upload: {id}.")));
        };
        fields
            .check(
                upload.purpose == *purpose,
                field,
                &format!("must be a {purpose} upload"),
            )
            .check(
                upload.status == UploadStatus::Ready,
                field,
                "must be a confirmed upload",
            );
    }
    fields.finish()
}
