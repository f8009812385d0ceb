//! Importing a vendor's Shopify catalogue.
//!
//! `request` queues a sync (its row and its `sync_products` job in one unit of work); the
//! worker's `run` reads the shop a page at a time and writes each product on its own:
//! created when new, rewritten when its Shopify content changed (a fingerprint of the mapped
//! fields), untouched otherwise; then every imported product the shop no longer has is
//! archived, never deleted (open gifts and orders still name it). Progress is written after
//! each page. A product that cannot be imported (no variants, a price that is not a
//! decimal, a SKU another product holds) is counted as failed with its reason and the sync
//! goes on. Shopify unreachable: the job retries and the rerun starts afresh, reaching the
//! same catalogue. The token refused: the connection needs reconnecting and the sync fails.

use super::{access_token, token_refused};
use crate::{App, AppError, UnitOfWork};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use std::collections::HashSet;
use trove_data_access::entities::shopify_sync;
use trove_data_access::products::{self, ImportOutcome, ImportedProduct, NewVariant};
use trove_data_access::shopify_syncs::{self, SyncCounts};
use trove_data_access::{jobs, shopify};
use trove_domain::ids::{JobId, VendorId};
use trove_domain::job::{JobPayload, SyncProducts};
use trove_domain::money::{Currency, Money};
use trove_domain::product::ProductStatus;
use trove_domain::shopify::{ConnectionStatus, ShopDomain, SyncStatus};
use trove_integrations::shopify::ShopifyError;
use trove_integrations::shopify::catalogue::ShopifyProduct;
use utoipa::ToSchema;

/// Failures kept on a sync row, with their reasons.
const FAILURES_KEPT: usize = 100;

fn not_connected() -> AppError {
    AppError::conflict(
        "shopify_not_connected",
        "This vendor has no connected Shopify shop; install the app first.",
    )
}

/// Queues a catalogue sync of the vendor's connected shop.
pub async fn request(app: &App, vendor: VendorId) -> Result<shopify_sync::Model, AppError> {
    app.shopify()?;
    let connected = shopify::find(&app.db, vendor)
        .await?
        .is_some_and(|connection| connection.status == ConnectionStatus::Connected);
    if !connected {
        return Err(not_connected());
    }
    let uow = UnitOfWork::begin(app).await?;
    let sync = shopify_syncs::queue(&*uow, vendor).await?;
    let job = JobPayload::SyncProducts(SyncProducts {
        v: 1,
        vendor_id: vendor.as_uuid(),
        sync_id: Some(sync.id),
    });
    jobs::enqueue(&*uow, JobId::new(), &job, jobs::now()).await?;
    uow.commit(app).await?;
    Ok(sync)
}

/// The vendor's sync `id`.
pub async fn find(
    app: &App,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<shopify_sync::Model, AppError> {
    shopify_syncs::find(&app.db, vendor, id)
        .await?
        .ok_or_else(|| AppError::no_such("sync"))
}

#[derive(Debug, Serialize, ToSchema)]
struct Failure {
    /// The Shopify product GID.
    product: String,
    title: String,
    reason: String,
}

/// Runs the sync `job` names (a job without a sync id gets a fresh row). A sync already
/// finished is left as it is.
pub async fn run(app: &App, job: &SyncProducts) -> Result<shopify_sync::Model, AppError> {
    let vendor = VendorId::from(job.vendor_id);
    let sync = match job.sync_id {
        Some(id) => find(app, vendor, id).await?,
        None => shopify_syncs::queue(&app.db, vendor).await?,
    };
    if matches!(sync.status, SyncStatus::Succeeded | SyncStatus::Failed) {
        return Ok(sync);
    }
    let fail = |sync: shopify_sync::Model, error: String| async move {
        Ok::<_, AppError>(
            shopify_syncs::record(
                &app.db,
                sync,
                SyncStatus::Failed,
                SyncCounts::default(),
                "[]".into(),
                Some(error),
            )
            .await?,
        )
    };
    let Some(connection) = shopify::find(&app.db, vendor)
        .await?
        .filter(|connection| connection.status == ConnectionStatus::Connected)
    else {
        return fail(sync, "The shop is not connected.".into()).await;
    };
    let shopify = app.shopify()?;
    let shop = ShopDomain::parse(&connection.shop).map_err(AppError::internal)?;
    let currency = Currency::parse(&connection.currency).map_err(AppError::internal)?;
    let token = match access_token(app, &connection).await {
        Err(AppError::Shopify(ShopifyError::Unauthorized(reason))) => {
            token_refused(app, vendor, &reason).await?;
            return fail(sync, format!("Shopify refused the token: {reason}")).await;
        }
        other => other?,
    };
    let admin = shopify.admin(&shop, &token);

    let mut sync = shopify_syncs::record(
        &app.db,
        sync,
        SyncStatus::Running,
        SyncCounts::default(),
        "[]".into(),
        None,
    )
    .await?;
    let mut counts = SyncCounts::default();
    let mut failures: Vec<Failure> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = match admin.products_page(cursor.as_deref()).await {
            Ok(page) => page,
            Err(ShopifyError::Unauthorized(reason)) => {
                token_refused(app, vendor, &reason).await?;
                return fail(sync, format!("Shopify refused the token: {reason}")).await;
            }
            Err(ShopifyError::Refused { message, .. }) => {
                return fail(
                    sync,
                    format!("Shopify refused the catalogue query: {message}"),
                )
                .await;
            }
            Err(other) => return Err(other.into()),
        };
        for product in &page.products {
            seen.insert(product.id.clone());
            counts.seen += 1;
            let outcome = match imported(product, &currency) {
                Ok(imported) => products::import(&app.db, vendor, imported).await,
                Err(reason) => Err(DbErr::Custom(reason)),
            };
            match outcome {
                Ok(ImportOutcome::Created) => counts.created += 1,
                Ok(ImportOutcome::Updated) => counts.updated += 1,
                Ok(ImportOutcome::Unchanged) => counts.unchanged += 1,
                Err(error) => {
                    let reason = match (&error, error.sql_err()) {
                        (DbErr::Custom(reason), _) => reason.clone(),
                        (_, Some(SqlErr::UniqueConstraintViolation(_))) => {
                            "a SKU of this product is used by another product of the vendor".into()
                        }
                        _ => return Err(error.into()),
                    };
                    counts.failed += 1;
                    if failures.len() < FAILURES_KEPT {
                        failures.push(Failure {
                            product: product.id.clone(),
                            title: product.title.clone(),
                            reason,
                        });
                    }
                }
            }
        }
        sync = shopify_syncs::record(
            &app.db,
            sync,
            SyncStatus::Running,
            counts,
            to_json(&failures),
            None,
        )
        .await?;
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    counts.archived =
        i32::try_from(products::archive_unseen(&app.db, vendor, &seen).await?).unwrap_or(i32::MAX);
    let sync = shopify_syncs::record(
        &app.db,
        sync,
        SyncStatus::Succeeded,
        counts,
        to_json(&failures),
        None,
    )
    .await?;
    if let Some(connection) = shopify::find(&app.db, vendor).await? {
        shopify::note_sync(&app.db, connection, None).await?;
    }
    tracing::info!(%vendor, seen = counts.seen, created = counts.created, updated = counts.updated, unchanged = counts.unchanged, archived = counts.archived, failed = counts.failed, "Shopify catalogue synced");
    Ok(sync)
}

fn to_json(failures: &[Failure]) -> String {
    serde_json::to_string(failures).unwrap_or_else(|_| "[]".into())
}

/// `product` in Trove's terms, or why it cannot be imported.
fn imported(product: &ShopifyProduct, currency: &Currency) -> Result<ImportedProduct, String> {
    if product.variants().is_empty() {
        return Err("the product has no variants".into());
    }
    let status = match product.status.as_str() {
        "ACTIVE" => ProductStatus::Active,
        "ARCHIVED" => ProductStatus::Archived,
        _ => ProductStatus::Draft,
    };
    let mut variants = Vec::with_capacity(product.variants().len());
    for variant in product.variants() {
        let sku = variant
            .sku
            .as_deref()
            .map(str::trim)
            .filter(|sku| !sku.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("shopify-{}", numeric_id(&variant.id)));
        let minor = decimal_to_minor(&variant.price, minor_digits(currency))
            .ok_or_else(|| format!("the price `{}` of {sku} is not an amount", variant.price))?;
        variants.push(NewVariant {
            sku,
            title: variant
                .title
                .clone()
                .filter(|title| title != "Default Title" && !title.is_empty()),
            price: Money {
                minor,
                currency: *currency,
            },
            stock: variant
                .inventory_quantity
                .map(|quantity| i32::try_from(quantity.max(0)).unwrap_or(i32::MAX)),
            weight_grams: None,
        });
    }
    let options: serde_json::Map<String, serde_json::Value> = product
        .options
        .iter()
        .filter(|option| option.name != "Title")
        .map(|option| (option.name.clone(), serde_json::json!(option.values)))
        .collect();
    let attributes = serde_json::json!({
        "options": options,
        "image_urls": product.image_urls(),
    });
    let description = product
        .description_html
        .clone()
        .filter(|description| !description.trim().is_empty());
    let fingerprint_source = serde_json::json!({
        "title": product.title,
        "description": description,
        "status": status.as_str(),
        "attributes": attributes,
        "variants": variants.iter().map(|variant| serde_json::json!([
            variant.sku, variant.title, variant.price.minor, variant.price.currency.as_str(), variant.stock
        ])).collect::<Vec<_>>(),
    })
    .to_string();
    let digest =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, fingerprint_source.as_bytes());
    Ok(ImportedProduct {
        external_id: product.id.clone(),
        source_hash: digest
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect(),
        title: product.title.chars().take(255).collect(),
        description,
        status,
        attributes_json: attributes.to_string(),
        variants,
    })
}

/// The number at the end of a GID (`gid://shopify/ProductVariant/42` → `42`).
fn numeric_id(gid: &str) -> &str {
    gid.rsplit('/').next().unwrap_or(gid)
}

/// Digits after the decimal point in `currency`'s minor unit (ISO 4217).
fn minor_digits(currency: &Currency) -> u32 {
    match currency.as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// `"19.99"` with 2 digits → 1999; more fraction digits than the currency has, a sign or
/// anything but digits and one point → `None`.
fn decimal_to_minor(amount: &str, digits: u32) -> Option<i64> {
    let (whole, fraction) = amount.trim().split_once('.').unwrap_or((amount.trim(), ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > digits as usize {
        return None;
    }
    let scale = 10_i64.checked_pow(digits)?;
    let fraction_value: i64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse::<i64>().ok()? * 10_i64.checked_pow(digits - fraction.len() as u32)?
    };
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(scale)?
        .checked_add(fraction_value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shopify_prices_become_minor_units_of_the_shop_currency() {
        assert_eq!(decimal_to_minor("19.99", 2), Some(1999));
        assert_eq!(decimal_to_minor("20.0", 2), Some(2000));
        assert_eq!(decimal_to_minor("7", 2), Some(700));
        assert_eq!(decimal_to_minor("1000.00", 0), Some(1000));
        assert_eq!(decimal_to_minor("1.5", 3), Some(1500));
        assert_eq!(decimal_to_minor("1.999", 2), None);
        assert_eq!(decimal_to_minor("-1.00", 2), None);
        assert_eq!(decimal_to_minor("abc", 2), None);
        assert_eq!(decimal_to_minor(".5", 2), None);
    }
}
