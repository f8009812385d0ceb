//! The recipient's side of a gift. `POST /api/v1/gifts/redeem` exchanges a code for a
//! Recipient token; it has the strict attempt limit of storefront passwords and answers
//! one generic 404 for unknown, dead and expired codes alike. With the token the recipient
//! sees only their gift: the items (they may swap each for another variant of the same
//! product within its price, stock permitting) and their address, which must resolve to
//! one of the storefront's zones. Confirming the address queues the shipment.

use crate::auth::guards::RecipientAccess;
use crate::error::{ApiError, ErrorBody};
use crate::middleware::rate_limit::limit_attempts;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use trove_data_access::entities::{order, order_line, order_recipient};
use trove_data_access::{gifts, orders, products, storefronts};
use trove_domain::ids::VendorId;
use trove_domain::order::RecipientStatus;
use trove_domain::storefront::DeliveryMethod;
use utoipa::ToSchema;
use uuid::Uuid;

use trove_app::shipping::AddressInput;

/// How long a Recipient token lasts.
const SESSION_LIFETIME: Duration = Duration::from_secs(2 * 3600);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientSession {
    /// A Recipient token: send as `Authorization: Bearer …`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

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
    pub quantity: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pick {
    pub line_id: Uuid,
    pub variant_id: Uuid,
}

/// A fixed gift takes `picks` (another variant per line); a budget gift takes `items`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CartBody {
    #[serde(default)]
    pub picks: Vec<Pick>,
    #[serde(default)]
    pub items: Vec<ChosenItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    pub address: AddressInput,
}

fn no_gift() -> ApiError {
    trove_app::gifts::no_gift().into()
}

/// Exchanges a gift code for a Recipient token.
#[utoipa::path(
    tag = "gifts",
    request_body = RedeemBody,
    responses(
        (status = 201, description = "A Recipient token for this gift.", body = RecipientSession),
        (status = 404, description = "Unknown, reissued or expired code (one answer for all).", body = ErrorBody),
        (status = 429, description = "Too many attempts from this client; `Retry-After`.", body = ErrorBody),
    )
)]
#[post("/api/v1/gifts/redeem")]
pub async fn redeem_gift(
    request: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RedeemBody>,
) -> Result<HttpResponse, ApiError> {
    limit_attempts(&request, &state, "gift-redeem").await?;
    let recipient = trove_app::gifts::redeem(&state.app, &body.code).await?;
    let token = state
        .authenticator
        .issue_recipient(&recipient.id.to_string(), SESSION_LIFETIME)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().json(RecipientSession {
        token,
        expires_at: Utc::now() + chrono::Duration::from_std(SESSION_LIFETIME).unwrap_or_default(),
    }))
}

async fn recipient_of(
    state: &AppState,
    access: &RecipientAccess,
) -> Result<order_recipient::Model, ApiError> {
    let id = Uuid::parse_str(&access.recipient_id).map_err(|_| no_gift())?;
    gifts::find_recipient(&state.db, id)
        .await?
        .ok_or_else(no_gift)
}

fn picks_of(recipient: &order_recipient::Model) -> BTreeMap<Uuid, Uuid> {
    recipient
        .cart
        .as_deref()
        .and_then(|cart| serde_json::from_str(cart).ok())
        .unwrap_or_default()
}

/// The lines of the recipient's order and, per line, the variants they may pick.
async fn items_of(
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

async fn gift_view(
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
async fn budget_options(
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

fn chosen_of(cart: &Option<String>) -> Vec<ChosenItem> {
    cart.as_deref()
        .and_then(|cart| serde_json::from_str(cart).ok())
        .unwrap_or_default()
}

/// The holder's gift.
#[utoipa::path(
    tag = "gifts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "OK.", body = GiftView),
        (status = 403, description = "Not a Recipient token.", body = ErrorBody),
    )
)]
#[get("/api/v1/gift")]
pub async fn get_gift(
    state: web::Data<AppState>,
    access: RecipientAccess,
) -> Result<web::Json<GiftView>, ApiError> {
    let recipient = recipient_of(&state, &access).await?;
    Ok(web::Json(gift_view(&state, recipient).await?))
}

fn not_redeemed(status: RecipientStatus) -> ApiError {
    trove_app::gifts::not_open(status).into()
}

/// Picks variants for the gift's items (same product, within the line's price, in stock).
#[utoipa::path(
    tag = "gifts",
    security(("bearer" = [])),
    request_body = CartBody,
    responses(
        (status = 200, description = "The gift with the picks.", body = GiftView),
        (status = 409, description = "Not redeemed, or already confirmed.", body = ErrorBody),
        (status = 422, description = "A pick is not a choice of its line; see details.", body = ErrorBody),
    )
)]
#[put("/api/v1/gift/cart")]
pub async fn set_gift_cart(
    state: web::Data<AppState>,
    access: RecipientAccess,
    body: web::Json<CartBody>,
) -> Result<web::Json<GiftView>, ApiError> {
    let recipient = recipient_of(&state, &access).await?;
    if recipient.status != RecipientStatus::Redeemed {
        return Err(not_redeemed(recipient.status));
    }
    let detail = detail_of(&state, &recipient).await?;
    if let Some(budget) = detail.order.budget_minor {
        let options = budget_options(&state, &detail.order, budget).await?;
        let cart = choose(&options, budget, &body.items)?;
        let recipient = gifts::set_cart(&state.db, recipient, cart).await?;
        return Ok(web::Json(gift_view(&state, recipient).await?));
    }
    let items = items_of(&state, &recipient, &detail.lines).await?;
    let mut fields = crate::validation::Fields::default();
    let mut picks = picks_of(&recipient);
    for (index, pick) in body.picks.iter().enumerate() {
        let allowed = items.iter().any(|item| {
            item.line_id == pick.line_id
                && item
                    .choices
                    .iter()
                    .any(|choice| choice.variant_id == pick.variant_id)
        });
        fields.check(
            allowed,
            &format!("picks[{index}]"),
            "must be a variant of that line's product within its price and in stock",
        );
        picks.insert(pick.line_id, pick.variant_id);
    }
    fields.finish()?;
    let cart = serde_json::to_string(&picks).map_err(ApiError::internal)?;
    let recipient = gifts::set_cart(&state.db, recipient, cart).await?;
    Ok(web::Json(gift_view(&state, recipient).await?))
}

/// The recipient's order with its lines.
async fn detail_of(
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
fn choose(options: &[BudgetOption], budget: i64, items: &[ChosenItem]) -> Result<String, ApiError> {
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

/// Confirms where the gift goes; the address must be in one of the storefront's zones.
/// The shipment is then queued.
#[utoipa::path(
    tag = "gifts",
    security(("bearer" = [])),
    request_body = AddressBody,
    responses(
        (status = 200, description = "Confirmed; the shipment is queued.", body = GiftView),
        (status = 409, description = "Not redeemed, or already confirmed.", body = ErrorBody),
        (status = 422, description = "No zone covers the address; the reason is given.", body = ErrorBody),
    )
)]
#[put("/api/v1/gift/address")]
pub async fn confirm_gift_address(
    state: web::Data<AppState>,
    access: RecipientAccess,
    body: web::Json<AddressBody>,
) -> Result<web::Json<GiftView>, ApiError> {
    let recipient = recipient_of(&state, &access).await?;
    let recipient =
        trove_app::gifts::confirm_address(&state.app, recipient, &body.into_inner().address)
            .await?;
    Ok(web::Json(gift_view(&state, recipient).await?))
}
