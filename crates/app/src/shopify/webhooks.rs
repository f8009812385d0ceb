//! Shopify webhooks: received by the API, applied by the worker.
//!
//! Receiving: the raw body must match `X-Shopify-Hmac-Sha256` under the app's secret (a
//! body parsed and written again does not), else 401 and nothing stored. A genuine
//! delivery is stored once by `X-Shopify-Webhook-Id` together with its
//! `process_shopify_webhook` job, in one unit of work, and answered at once; a repeat
//! (even a concurrent one) stores and queues nothing. A delivery for a shop no vendor
//! holds is stored and not queued. The database being down is an error, never a 200.
//!
//! Applying (`apply`): `app/uninstalled` marks the connection uninstalled and forgets
//! its tokens (imported products stay); `shop/redact` forgets the connection and the
//! Shopify links of the vendor's products. Topics this version does not act on yet are
//! acknowledged and logged.

use crate::{App, AppError, UnitOfWork};
use trove_data_access::{jobs, products, shopify};
use trove_domain::ids::{JobId, VendorId};
use trove_domain::job::{JobPayload, ProcessShopifyWebhook};
use trove_domain::shopify::{ConnectionStatus, ShopDomain};
use trove_integrations::shopify::signatures;

/// One delivery as it arrived: the headers Shopify sets and the raw body.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    pub hmac: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub shop: Option<&'a str>,
    pub webhook_id: Option<&'a str>,
    pub body: &'a [u8],
}

/// What receiving did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Stored and queued for the worker.
    Queued,
    /// Stored; no vendor holds the shop, so there is nothing to apply.
    Unclaimed,
    /// Stored before: acknowledged, nothing done twice.
    Duplicate,
}

fn header<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, AppError> {
    value
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| {
            AppError::malformed(
                "invalid_webhook",
                format!("The `{name}` header is missing."),
            )
        })
}

/// Verifies and stores one delivery.
pub async fn receive(app: &App, delivery: Delivery<'_>) -> Result<Received, AppError> {
    let shopify = app.shopify()?;
    if !signatures::webhook_is_signed(delivery.hmac, delivery.body, shopify.api_secret()) {
        return Err(AppError::Unauthenticated {
            code: "invalid_signature",
            message: "X-Shopify-Hmac-Sha256 does not sign this body.".into(),
        });
    }
    let topic = header(delivery.topic, "X-Shopify-Topic")?;
    let webhook_id = header(delivery.webhook_id, "X-Shopify-Webhook-Id")?;
    let shop = ShopDomain::parse(header(delivery.shop, "X-Shopify-Shop-Domain")?)
        .map_err(|error| AppError::malformed("invalid_webhook", error.to_string()))?;
    let body = std::str::from_utf8(delivery.body)
        .ok()
        .filter(|body| serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok())
        .ok_or_else(|| AppError::malformed("invalid_webhook", "The body is not JSON."))?;

    let uow = UnitOfWork::begin(app).await?;
    if !shopify::record_webhook(&*uow, webhook_id, &shop, topic).await? {
        return Ok(Received::Duplicate);
    }
    let Some(connection) = shopify::find_by_shop(&*uow, &shop).await? else {
        uow.commit(app).await?;
        tracing::info!(%shop, topic, webhook_id, "Shopify webhook for a shop no vendor holds");
        return Ok(Received::Unclaimed);
    };
    let job = JobPayload::ProcessShopifyWebhook(ProcessShopifyWebhook {
        v: 1,
        vendor_id: connection.vendor_id,
        shop: shop.to_string(),
        topic: topic.to_owned(),
        webhook_id: webhook_id.to_owned(),
        body: body.to_owned(),
    });
    jobs::enqueue(&*uow, JobId::new(), &job, jobs::now()).await?;
    uow.commit(app).await?;
    tracing::info!(%shop, topic, webhook_id, "Shopify webhook queued");
    Ok(Received::Queued)
}

/// What applying a delivery did, for the job's log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Uninstalled,
    Redacted,
    /// The connection is gone or belongs to another shop now: nothing to do.
    Stale,
    /// A topic this version acknowledges without acting on.
    Ignored,
}

/// Applies one stored delivery.
pub async fn apply(app: &App, delivery: &ProcessShopifyWebhook) -> Result<Applied, AppError> {
    let vendor = VendorId::from(delivery.vendor_id);
    let uow = UnitOfWork::begin(app).await?;
    let Some(connection) = shopify::find(&*uow, vendor)
        .await?
        .filter(|connection| connection.shop == delivery.shop)
    else {
        return Ok(Applied::Stale);
    };
    let applied = match delivery.topic.as_str() {
        "app/uninstalled" => {
            if connection.status != ConnectionStatus::Uninstalled {
                shopify::set_status(&*uow, connection, ConnectionStatus::Uninstalled, None).await?;
            }
            Applied::Uninstalled
        }
        "shop/redact" => {
            shopify::delete(&*uow, vendor).await?;
            products::forget_external_ids(&*uow, vendor).await?;
            Applied::Redacted
        }
        _ => Applied::Ignored,
    };
    uow.commit(app).await?;
    Ok(applied)
}
