//! Installing the app on a vendor's shop (OAuth authorization code grant, offline access).
//!
//! 1. `start`: the shop domain is checked first (`*.myshopify.com`, lowercase), then that
//!    no other vendor holds it; the caller's single-use state names the vendor and the
//!    shop; the answer is Shopify's install screen.
//! 2. `verify_callback`: the callback's query must carry `code`, `shop`, `state`,
//!    `timestamp` and a valid `hmac` (over the query as received). The caller then spends
//!    the state and checks it names this shop.
//! 3. `complete`: exchange the code (asking for an expiring offline token), read the shop's
//!    name and currency, subscribe the webhooks the app needs, seal the tokens, then store
//!    the connection in one unit of work. Any failure before that stores nothing.

use super::ShopifyConnectionView;
use crate::{App, AppError, UnitOfWork};
use chrono::NaiveDateTime;
use std::time::Duration;
use trove_data_access::shopify::{self, NewConnection};
use trove_domain::ids::VendorId;
use trove_domain::shopify::{ConnectionStatus, ShopDomain};
use trove_integrations::shopify::signatures;
use trove_integrations::shopify::{ShopifyClient, TokenSet, WEBHOOK_PATH};

/// The webhook topics subscribed at install (GraphQL enum names). The privacy topics
/// (`customers/data_request`, `customers/redact`, `shop/redact`) are not among them: a
/// Shopify app declares those in its configuration, and they arrive at the same address.
pub const WEBHOOK_TOPICS: [&str; 7] = [
    "APP_UNINSTALLED",
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
    "INVENTORY_LEVELS_UPDATE",
    "FULFILLMENTS_CREATE",
    "FULFILLMENTS_UPDATE",
];

/// `shop` as a shop domain, or the field error saying what one looks like.
pub fn parse_shop(shop: &str) -> Result<ShopDomain, AppError> {
    ShopDomain::parse(shop).map_err(|error| AppError::invalid("shop", error.to_string()))
}

fn shop_taken() -> AppError {
    AppError::conflict(
        "shop_already_connected",
        "This Shopify shop is connected to another vendor.",
    )
}

/// Whether another vendor holds `shop` connected.
async fn ensure_available(app: &App, vendor: VendorId, shop: &ShopDomain) -> Result<(), AppError> {
    match shopify::find_by_shop(&app.db, shop).await? {
        Some(existing)
            if existing.vendor_id != vendor.as_uuid()
                && existing.status == ConnectionStatus::Connected =>
        {
            Err(shop_taken())
        }
        _ => Ok(()),
    }
}

/// The install screen for `shop`, carrying the state `issue_state` makes for it.
pub async fn start(
    app: &App,
    vendor: VendorId,
    shop: &str,
    issue_state: impl FnOnce(&ShopDomain) -> Result<String, AppError>,
) -> Result<String, AppError> {
    let shop = parse_shop(shop)?;
    let shopify = app.shopify()?;
    ensure_available(app, vendor, &shop).await?;
    let state = issue_state(&shop)?;
    Ok(shopify.authorize_url(&shop, &state))
}

/// A callback whose signature holds: what `complete` needs, and the state to spend.
#[derive(Debug)]
pub struct SignedCallback {
    pub shop: ShopDomain,
    pub code: String,
    pub state: String,
}

fn refused(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::malformed(code, message)
}

/// Checks the callback's `query` (as received): the parameters, the shop domain, then
/// the `hmac` under the app's secret. Nothing is spent or stored.
pub fn verify_callback(app: &App, query: &str) -> Result<SignedCallback, AppError> {
    let shopify = app.shopify()?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let one = |name: &str| {
        let mut values = pairs.iter().filter(|(key, _)| key == name);
        match (values.next(), values.next()) {
            (Some((_, value)), None) if !value.is_empty() => Ok(value.clone()),
            _ => Err(refused(
                "invalid_callback",
                format!("The callback needs exactly one `{name}`."),
            )),
        }
    };
    let shop = one("shop")?;
    let code = one("code")?;
    let state = one("state")?;
    one("timestamp")?;
    one("hmac")?;
    let shop =
        ShopDomain::parse(&shop).map_err(|error| refused("invalid_shop", error.to_string()))?;
    if !signatures::query_is_signed(query, shopify.api_secret()) {
        return Err(refused(
            "invalid_hmac",
            "The callback's hmac does not match its parameters.",
        ));
    }
    Ok(SignedCallback { shop, code, state })
}

/// Completes the install of `callback.shop` for `vendor` (whose spent state named it).
pub async fn complete(
    app: &App,
    vendor: VendorId,
    callback: &SignedCallback,
) -> Result<ShopifyConnectionView, AppError> {
    let shopify = app.shopify()?;
    ensure_available(app, vendor, &callback.shop).await?;
    let tokens = shopify
        .exchange_code(&callback.shop, &callback.code)
        .await?;
    let admin = shopify.admin(&callback.shop, &tokens.access_token);
    let info = admin.shop().await?;
    admin
        .subscribe(&WEBHOOK_TOPICS, &webhook_address(shopify))
        .await?;
    let new = sealed_connection(app, vendor, &callback.shop, info, tokens).await?;

    let uow = UnitOfWork::begin(app).await?;
    match shopify::find_by_shop(&*uow, &callback.shop).await? {
        Some(existing)
            if existing.vendor_id != vendor.as_uuid()
                && existing.status == ConnectionStatus::Connected =>
        {
            return Err(shop_taken());
        }
        _ => {}
    }
    let stored = shopify::replace(&*uow, new).await?;
    uow.commit(app).await?;
    tracing::info!(%vendor, shop = %callback.shop, expiring = stored.access_token_expires_at.is_some(), "Shopify connected");
    Ok(ShopifyConnectionView::of(
        Some(&stored),
        trove_data_access::jobs::now(),
    ))
}

fn webhook_address(shopify: &ShopifyClient) -> String {
    format!(
        "{}{WEBHOOK_PATH}",
        shopify.settings().app_url.trim_end_matches('/')
    )
}

async fn sealed_connection(
    app: &App,
    vendor: VendorId,
    shop: &ShopDomain,
    info: trove_integrations::shopify::admin::ShopInfo,
    tokens: TokenSet,
) -> Result<NewConnection, AppError> {
    let now = trove_data_access::jobs::now();
    let (access_token, refresh_token) = super::seal_tokens(app, vendor, &tokens).await?;
    Ok(NewConnection {
        vendor,
        shop: shop.clone(),
        shop_name: info.name,
        currency: info.currency,
        scopes: tokens.scopes,
        access_token,
        access_token_expires_at: tokens.expires_in.map(|ttl| after(now, ttl)),
        refresh_token,
        refresh_token_expires_at: tokens.refresh_token_expires_in.map(|ttl| after(now, ttl)),
    })
}

fn after(now: NaiveDateTime, ttl: Duration) -> NaiveDateTime {
    now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::zero())
}
