//! What the recipient sees of their gift: the storefront it comes from, the items with
//! the variants they may pick instead (same product, within the line's price, in stock),
//! or for a budget gift the options within the budget and what they chose, and the check
//! of such a choice (only offered options, in stock, 1 to 20 items, within the budget).

use super::no_gift;
use crate::error::ApiError;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trove_data_access::entities::{order, order_line, order_recipient};
use trove_data_access::{orders, products, storefronts};
use trove_domain::ids::VendorId;
use trove_domain::order::RecipientStatus;
use trove_domain::storefront::DeliveryMethod;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftChoice {
    pub variant_id: Uuid,
    pub sku: String,
    pub title: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftItem {
    pub line_id: Uuid,
    pub title: String,
    pub quantity: i32,
    /// The variant the recipient will receive (their pick, else the one ordered).
    pub variant_id: Uuid,
    /// Variants of the same product within the line's price and in stock.
    pub choices: Vec<GiftChoice>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftStorefront {
    pub slug: String,
    pub name: String,
    pub branding: crate::views::storefront::Branding,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GiftView {
    /// The storefront the gift comes from (its branding frames the gift page).
    pub storefront: GiftStorefront,
    pub recipient_name: String,
    pub from: String,
    #[schema(value_type = String)]
    pub status: RecipientStatus,
    #[schema(value_type = String)]
    pub delivery_method: DeliveryMethod,
    pub address: Option<serde_json::Value>,
    /// A fixed gift's items.
    pub items: Vec<GiftItem>,
    /// A chosen gift's budget: the recipient picks `options` up to it.
    pub budget_minor: Option<i64>,
    pub options: Vec<BudgetOption>,
    /// What the recipient has chosen so far (a chosen gift).
    pub chosen: Vec<ChosenItem>,
}

/// Something a recipient may choose for a budget gift.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetOption {
    pub variant_id: Uuid,
    pub title: String,
    pub sku: String,
    pub price_minor: i64,
    #[serde(skip)]
    pub stock: Option<i32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChosenItem {
    pub variant_id: Uuid,
    /// 1–20.
    #[schema(minimum = 1, maximum = 20)]
    pub quantity: u32,
}

pub(super) fn picks_of(recipient: &order_recipient::Model) -> BTreeMap<Uuid, Uuid> {
    recipient
        .cart
        .as_deref()
        .and_then(|cart| serde_json::from_str(cart).ok())
        .unwrap_or_default()
}

/// The lines of the recipient's order and, per line, the variants they may pick.
pub(super) async fn items_of(
    state: &AppState,
    recipient: &order_recipient::Model,
    lines: &[order_line::Model],
) -> Result<Vec<GiftItem>, ApiError> {
    let product_ids: Vec<Uuid> = lines.iter().map(|line| line.product_id).collect();
    let variants = products::variants_of(&state.db, &product_ids).await?;
    let picks = picks_of(recipient);
    let items = lines
        .iter()
        .map(|line| GiftItem {
            line_id: line.id,
            title: line.title.clone(),
            quantity: line.quantity,
            variant_id: picks.get(&line.id).copied().unwrap_or(line.variant_id),
            choices: variants
                .get(&line.product_id)
                .into_iter()
                .flatten()
                .filter(|variant| {
                    variant.price_minor <= line.unit_price_minor
                        && variant.stock.is_none_or(|stock| stock >= line.quantity)
                })
                .map(|variant| GiftChoice {
                    variant_id: variant.id,
                    sku: variant.sku.clone(),
                    title: variant.title.clone(),
                })
                .collect(),
        })
        .collect();
    Ok(items)
}

pub(super) async fn gift_view(
    state: &AppState,
    recipient: order_recipient::Model,
) -> Result<GiftView, ApiError> {
    let detail = detail_of(state, &recipient).await?;
    let items = items_of(state, &recipient, &detail.lines).await?;
    let order = detail.order;
    let vendor = VendorId::from(recipient.vendor_id);
    let storefront = storefronts::find(&state.db, vendor, order.storefront_id)
        .await?
        .ok_or_else(no_gift)?;
    let storefront = crate::views::storefront::StorefrontView::try_from(storefront)?;
    let recipient_cart = recipient.cart.clone();
    Ok(GiftView {
        storefront: GiftStorefront {
            slug: storefront.slug,
            name: storefront.name,
            branding: storefront.branding,
        },
        recipient_name: recipient.name,
        from: order.customer_name.clone(),
        status: recipient.status,
        delivery_method: recipient.delivery_method,
        address: recipient
            .address
            .and_then(|address| serde_json::from_str(&address).ok()),
        items,
        budget_minor: order.budget_minor,
        options: match order.budget_minor {
            Some(budget) => budget_options(state, &order, budget).await?,
            None => Vec::new(),
        },
        chosen: chosen_of(&recipient_cart),
    })
}

/// What a budget gift's recipient may choose: the storefront's active offers in the
/// order's currency, within the budget and in stock.
pub(super) async fn budget_options(
    state: &AppState,
    order: &order::Model,
    budget: i64,
) -> Result<Vec<BudgetOption>, ApiError> {
    let offered = storefronts::offering(&state.db, order.storefront_id, true).await?;
    let mut options = Vec::new();
    for offer in &offered {
        let product = &offer.product.product;
        for variant in &offer.product.variants {
            let price_minor = offer.price_override_minor.unwrap_or(variant.price_minor);
            let in_stock = variant.stock.is_none_or(|stock| stock > 0);
            if variant.currency != order.currency || price_minor > budget || !in_stock {
                continue;
            }
            options.push(BudgetOption {
                variant_id: variant.id,
                title: match &variant.title {
                    Some(title) => format!("{} — {title}", product.title),
                    None => product.title.clone(),
                },
                sku: variant.sku.clone(),
                price_minor,
                stock: variant.stock,
            });
        }
    }
    Ok(options)
}

pub(super) fn chosen_of(cart: &Option<String>) -> Vec<ChosenItem> {
    cart.as_deref()
        .and_then(|cart| serde_json::from_str(cart).ok())
        .unwrap_or_default()
}

/// The recipient's order with its lines.
pub(super) async fn detail_of(
    state: &AppState,
    recipient: &order_recipient::Model,
) -> Result<orders::OrderDetail, ApiError> {
    orders::find(
        &state.db,
        VendorId::from(recipient.vendor_id),
        recipient.order_id,
    )
    .await?
    .ok_or_else(no_gift)
}

/// Checks a budget gift's choice (options only, stock, within the budget) and returns it
/// as the stored cart.
pub(super) fn choose(
    options: &[BudgetOption],
    budget: i64,
    items: &[ChosenItem],
) -> Result<String, ApiError> {
    let mut fields = crate::validation::Fields::default();
    fields.check(
        !items.is_empty() && items.len() <= 20,
        "items",
        "must choose 1 to 20 items",
    );
    let mut total: i64 = 0;
    for (index, item) in items.iter().enumerate() {
        let option = options
            .iter()
            .find(|option| option.variant_id == item.variant_id);
        fields.check(
            option.is_some(),
            &format!("items[{index}].variant_id"),
            "is not one of the options",
        );
        fields.check(
            (1..=20).contains(&item.quantity),
            &format!("items[{index}].quantity"),
            "must be 1 to 20",
        );
        if let Some(option) = option {
            fields.check(
                option
                    .stock
                    .is_none_or(|stock| stock >= i32::try_from(item.quantity).unwrap_or(i32::MAX)),
                &format!("items[{index}].quantity"),
                "is more than is in stock",
            );
            total =
                total.saturating_add(option.price_minor.saturating_mul(i64::from(item.quantity)));
        }
    }
    fields.check(
        total <= budget,
        "items",
        &format!("cost {total}, more than the budget of {budget}"),
    );
    fields.finish()?;
    serde_json::to_string(items).map_err(ApiError::internal)
}
