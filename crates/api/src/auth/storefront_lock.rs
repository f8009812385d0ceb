//! The public side of a storefront: only `active` storefronts are visible, and a
//! password-protected one answers only requests carrying a storefront session for it.

use super::guards::storefront_session;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use trove_data_access::entities::storefront;
use trove_data_access::storefronts;

/// An `active` storefront by slug (orders are only placed on active storefronts).
pub async fn visible_storefront(
    state: &AppState,
    slug: &str,
) -> Result<storefront::Model, ApiError> {
    storefronts::find_public(&state.db, slug, false)
        .await?
        .ok_or_else(|| ApiError::no_such("storefront"))
}

/// 401 `storefront_locked` unless the storefront is open or the request carries a session
/// for it.
pub fn require_unlocked(
    request: &HttpRequest,
    storefront: &storefront::Model,
) -> Result<(), ApiError> {
    if storefront.password_hash.is_none() || storefront_session(request) == Some(storefront.id) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNAUTHORIZED,
        "storefront_locked",
        "This storefront is password-protected; open a session with its password.",
    )
    .with_details(serde_json::json!({
        "session_path": format!("/api/v1/public/storefronts/{}/sessions", storefront.slug),
    })))
}
