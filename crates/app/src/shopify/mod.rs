//! A vendor's Shopify shop: installing the app (OAuth), what the connection looks like,
//! disconnecting, and the webhooks Shopify sends.
//!
//! Policy: tokens are sealed ([`trove_integrations::secrets`]) before any transaction
//! opens and are opened only to call Shopify; each is bound to its vendor and field, so a
//! sealed value copied to another row does not open. No token is ever logged, returned,
//! or put in a job payload.

pub mod install;
pub mod sync;
pub mod webhooks;

use crate::{App, AppError, UnitOfWork};
use chrono::NaiveDateTime;
use secrecy::SecretString;
use serde::Serialize;
use trove_data_access::entities::shopify_connection;
use trove_data_access::shopify;
use trove_domain::ids::VendorId;
use trove_domain::shopify::{ConnectionStatus, ShopDomain};
use trove_integrations::secrets::Sealed;
use trove_integrations::shopify::ShopifyError;
use utoipa::ToSchema;

/// The sealing context of one token field of one vendor's connection.
fn token_context(vendor: VendorId, field: &str) -> String {
    format!("shopify_connection/{vendor}/{field}")
}

/// A vendor's connection as the Admin Portal shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShopifyConnectionView {
    /// `not_connected`, `connected`, `uninstalled` or `needs_reconnect`.
    pub status: String,
    /// The shop's `*.myshopify.com` domain.
    pub shop: Option<String>,
    pub shop_name: Option<String>,
    pub currency: Option<String>,
    /// The access scopes Shopify granted.
    pub scopes: Vec<String>,
    /// `ok`, `expiring` (an expiring token Trove refreshes by itself), `expired` (its
    /// refresh token ran out too: install again) or `none`.
    pub token_health: String,
    pub access_token_expires_at: Option<NaiveDateTime>,
    pub connected_at: Option<NaiveDateTime>,
    pub last_sync_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

impl ShopifyConnectionView {
    pub fn of(connection: Option<&shopify_connection::Model>, now: NaiveDateTime) -> Self {
        let Some(connection) = connection else {
            return Self {
                status: "not_connected".into(),
                shop: None,
                shop_name: None,
                currency: None,
                scopes: Vec::new(),
                token_health: "none".into(),
                access_token_expires_at: None,
                connected_at: None,
                last_sync_at: None,
                last_error: None,
            };
        };
        let token_health = match (
            &connection.access_token,
            connection.access_token_expires_at,
            connection.refresh_token_expires_at,
        ) {
            (None, _, _) => "none",
            (Some(_), None, _) => "ok",
            (Some(_), Some(_), Some(refresh_until)) if refresh_until <= now => "expired",
            (Some(_), Some(_), _) => "expiring",
        };
        Self {
            status: connection.status.as_str().into(),
            shop: Some(connection.shop.clone()),
            shop_name: Some(connection.shop_name.clone()),
            currency: Some(connection.currency.clone()),
            scopes: connection
                .scopes
                .split(',')
                .map(str::trim)
                .filter(|scope| !scope.is_empty())
                .map(str::to_owned)
                .collect(),
            token_health: token_health.into(),
            access_token_expires_at: connection.access_token_expires_at,
            connected_at: Some(connection.connected_at),
            last_sync_at: connection.last_sync_at,
            last_error: connection.last_error.clone(),
        }
    }
}

/// The vendor's connection, as it stands.
pub async fn connection(app: &App, vendor: VendorId) -> Result<ShopifyConnectionView, AppError> {
    let found = shopify::find(&app.db, vendor).await?;
    Ok(ShopifyConnectionView::of(
        found.as_ref(),
        trove_data_access::jobs::now(),
    ))
}

/// Disconnects the vendor: revokes the app's access at Shopify when the token still
/// works (a Shopify outage does not keep the vendor connected: the token is forgotten
/// either way and the failure logged), then forgets the connection.
pub async fn disconnect(app: &App, vendor: VendorId) -> Result<(), AppError> {
    let Some(found) = shopify::find(&app.db, vendor).await? else {
        return Err(AppError::no_such("Shopify connection"));
    };
    if let (Ok(shopify), Some(token)) = (app.shopify(), open_access_token(app, &found).await?) {
        let shop = ShopDomain::parse(&found.shop).map_err(AppError::internal)?;
        if let Err(error) = shopify.revoke(&shop, &token).await {
            tracing::warn!(%vendor, shop = %shop, %error, "could not revoke the Shopify token; forgetting it anyway");
        }
    }
    let uow = UnitOfWork::begin(app).await?;
    shopify::delete(&*uow, vendor).await?;
    uow.commit(app).await?;
    tracing::info!(%vendor, shop = %found.shop, "Shopify disconnected");
    Ok(())
}

/// The connection's access token in the clear, if it has one.
async fn open_access_token(
    app: &App,
    connection: &shopify_connection::Model,
) -> Result<Option<SecretString>, AppError> {
    let Some(column) = &connection.access_token else {
        return Ok(None);
    };
    let vendor = VendorId::from(connection.vendor_id);
    let sealed = Sealed::from_column(column)?;
    Ok(Some(
        app.secrets
            .open(&sealed, &token_context(vendor, "access_token"))
            .await?,
    ))
}

/// A token set sealed for storage: the access token and, when there is one, the refresh
/// token, each bound to its vendor and field.
pub(crate) async fn seal_tokens(
    app: &App,
    vendor: VendorId,
    tokens: &trove_integrations::shopify::TokenSet,
) -> Result<(String, Option<String>), AppError> {
    let access = app
        .secrets
        .seal(&tokens.access_token, &token_context(vendor, "access_token"))
        .await?
        .to_column();
    let refresh = match &tokens.refresh_token {
        Some(token) => Some(
            app.secrets
                .seal(token, &token_context(vendor, "refresh_token"))
                .await?
                .to_column(),
        ),
        None => None,
    };
    Ok((access, refresh))
}

/// How long before its expiry an expiring access token is refreshed.
const REFRESH_AHEAD: chrono::Duration = chrono::Duration::minutes(5);

/// The connection's access token, refreshed first when it expires within minutes. Two
/// processes refreshing at once both ask Shopify, but only the first to store wins (a
/// compare-and-set on the refresh token it spent); the other uses what the first stored.
pub(crate) async fn access_token(
    app: &App,
    connection: &shopify_connection::Model,
) -> Result<SecretString, AppError> {
    let vendor = VendorId::from(connection.vendor_id);
    let now = trove_data_access::jobs::now();
    let due = connection
        .access_token_expires_at
        .is_some_and(|expires| expires <= now + REFRESH_AHEAD);
    if !due {
        return open_access_token(app, connection).await?.ok_or_else(|| {
            ShopifyError::Unauthorized("the connection has no token".into()).into()
        });
    }
    let Some(refresh_column) = &connection.refresh_token else {
        return Err(ShopifyError::Unauthorized(
            "the token expired and there is no refresh token".into(),
        )
        .into());
    };
    let refresh = app
        .secrets
        .open(
            &Sealed::from_column(refresh_column)?,
            &token_context(vendor, "refresh_token"),
        )
        .await?;
    let shop = ShopDomain::parse(&connection.shop).map_err(AppError::internal)?;
    let tokens = match app.shopify()?.refresh(&shop, &refresh).await {
        Err(ShopifyError::Refused { message, .. }) => {
            return Err(
                ShopifyError::Unauthorized(format!("the refresh was refused: {message}")).into(),
            );
        }
        other => other?,
    };
    let (access, next_refresh) = seal_tokens(app, vendor, &tokens).await?;
    let at = |ttl: Option<std::time::Duration>| {
        ttl.and_then(|ttl| chrono::Duration::from_std(ttl).ok())
            .map(|ttl| now + ttl)
    };
    let swapped = shopify::swap_tokens(
        &app.db,
        vendor,
        refresh_column,
        access,
        at(tokens.expires_in),
        next_refresh,
        at(tokens.refresh_token_expires_in),
    )
    .await?;
    if swapped {
        tracing::info!(%vendor, shop = %shop, "Shopify token refreshed");
        return Ok(tokens.access_token);
    }
    let stored = shopify::find(&app.db, vendor)
        .await?
        .ok_or_else(|| ShopifyError::Unauthorized("the connection is gone".into()))?;
    open_access_token(app, &stored)
        .await?
        .ok_or_else(|| ShopifyError::Unauthorized("the connection has no token".into()).into())
}

/// Shopify refused the connection's token: it needs installing again, and the tokens are
/// forgotten.
pub(crate) async fn token_refused(
    app: &App,
    vendor: VendorId,
    reason: &str,
) -> Result<(), AppError> {
    if let Some(connection) = shopify::find(&app.db, vendor).await? {
        shopify::set_status(
            &app.db,
            connection,
            ConnectionStatus::NeedsReconnect,
            Some(format!("Shopify refused the token: {reason}")),
        )
        .await?;
    }
    tracing::warn!(%vendor, reason, "Shopify refused the token; the vendor must reconnect");
    Ok(())
}
