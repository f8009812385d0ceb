//! Guest checkout on a storefront: a quote prices an order without creating anything; an
//! order is created from the same body (with `Idempotency-Key`). Items must be active
//! products the storefront offers, priced at the storefront's price; customisation values
//! must match the product's options; every recipient's delivery method must be enabled
//! on the storefront and their address, when given, must resolve to one of the
//! storefront's shipping zones (the vendor's zones when it links none). A link gift
//! without an address is charged the highest rate among those zones: the recipient
//! confirms the address later, and any zone must then match.
//!
//! Payment is by bank transfer (the order stays `created`, the customer is emailed the
//! invoice, the vendor marks it paid) or by card: the order's PaymentIntent is created
//! on the platform with a destination charge to the vendor's connected account and the
//! platform fee as application fee, keyed by the order id; the Customer Frontend confirms
//! it with the client secret. The order becomes `paid` when Stripe says the payment
//! succeeded, through the webhook or the shopper's confirmation call, whichever is first.

use super::public_storefronts::{require_unlocked, visible_storefront};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trove_data_access::entities::{order, storefront};
use trove_data_access::{jobs, orders, payment_accounts};
use trove_domain::ids::{JobId, VendorId};
use trove_domain::job::{JobPayload, SendEmail};
use trove_domain::order::payment_reference;
use trove_domain::storefront::DeliveryMethod;
use trove_integrations::stripe::NewPaymentIntent;
use utoipa::ToSchema;
use uuid::Uuid;

mod pricing;

pub(crate) use pricing::resolve_address;
use pricing::{Priced, price_order};

/// The most recipients one order takes in its body (larger lists go through a CSV upload).
const MAX_RECIPIENTS: usize = 1_000;
/// The most recipients one order takes altogether.
const MAX_ORDER_RECIPIENTS: usize = 20_000;
const MAX_ITEMS: usize = 50;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    pub variant_id: Uuid,
    /// Per recipient, 1–100.
    pub quantity: u32,
    /// Option label → value, e.g. `{"Engraving": "Happy birthday"}`.
    #[serde(default)]
    pub customisation: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub state: Option<String>,
    pub postcode: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientBody {
    pub name: String,
    pub email: String,
    /// Required for `deliver_direct`; optional for link gifts (the recipient confirms it).
    pub address: Option<AddressInput>,
    /// `deliver_direct`, `email_link` or `create_link`, among those the storefront enables.
    #[schema(value_type = String)]
    pub delivery_method: DeliveryMethod,
    pub delivery_note: Option<String>,
    /// When the gift is sent (link gifts); today when absent; never in the past.
    pub send_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutBody {
    pub customer: Customer,
    /// `bank_transfer` or `card` (when the vendor's Stripe account accepts payments).
    #[serde(default = "bank_transfer")]
    pub payment_method: String,
    /// The items every recipient receives (or give a `budget` instead).
    #[serde(default)]
    pub items: Vec<ItemBody>,
    /// Instead of items: each recipient chooses their gift from the storefront up to this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<super::products::Price>,
    #[serde(default)]
    pub recipients: Vec<RecipientBody>,
    /// A finished recipient list of this storefront (a bulk CSV); its good rows are added
    /// after `recipients`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_list_id: Option<Uuid>,
}

fn bank_transfer() -> String {
    "bank_transfer".into()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteLine {
    pub variant_id: Uuid,
    pub sku: String,
    pub title: String,
    pub unit_price_minor: i64,
    pub quantity: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteRecipient {
    pub name: String,
    /// The zone the address resolved to (absent for a link gift without an address).
    pub zone: Option<String>,
    pub shipping_minor: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Quote {
    pub currency: String,
    pub lines: Vec<QuoteLine>,
    pub recipients: Vec<QuoteRecipient>,
    pub items_per_recipient_minor: i64,
    pub items_minor: i64,
    pub shipping_minor: i64,
    pub platform_fee_minor: i64,
    /// The part of the platform fee added to the total (the storefront's fee mode).
    pub fee_charged_minor: i64,
    pub total_minor: i64,
}

/// Prices an order without creating anything.
#[utoipa::path(
    tag = "checkout",
    params(("slug" = String, Path)),
    request_body = CheckoutBody,
    responses(
        (status = 200, description = "The breakdown the order would have.", body = Quote),
        (status = 401, description = "Password-protected: open a storefront session first.", body = ErrorBody),
        (status = 404, description = "No visible storefront with this slug.", body = ErrorBody),
        (status = 422, description = "Invalid items or recipients; every problem in `details`.", body = ErrorBody),
    )
)]
#[post("/api/v1/public/storefronts/{slug}/quote")]
pub async fn quote_order(
    request: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Json<CheckoutBody>,
) -> Result<web::Json<Quote>, ApiError> {
    let storefront = visible_storefront(&state, &slug).await?;
    require_unlocked(&request, &storefront)?;
    Ok(web::Json(
        price_order(&state, &state.db, &storefront, &body)
            .await?
            .quote,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlacedOrder {
    pub id: Uuid,
    /// `created` until paid.
    pub status: String,
    pub payment_method: String,
    pub quote: Quote,
    /// Where to pay for a bank transfer: quote this reference.
    pub payment_reference: String,
    /// For a card order: confirm this PaymentIntent with Stripe.js.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_payment: Option<CardPayment>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CardPayment {
    pub payment_intent_id: String,
    pub client_secret: String,
}

/// Places an order: it stays `created` until paid (bank transfer: the invoice is emailed;
/// card: confirm `card_payment` with Stripe.js). Send an `Idempotency-Key` so a retried
/// request cannot create a second order.
#[utoipa::path(
    tag = "checkout",
    params(("slug" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried request return the first one's response instead of a second order.")),
    request_body = CheckoutBody,
    responses(
        (status = 201, description = "Created; the invoice email is on its way, or `card_payment` holds the client secret.", body = PlacedOrder),
        (status = 400, description = "Malformed Idempotency-Key.", body = ErrorBody),
        (status = 401, description = "Password-protected: open a storefront session first.", body = ErrorBody),
        (status = 404, description = "No visible storefront with this slug.", body = ErrorBody),
        (status = 409, description = "A request with this Idempotency-Key is still running.", body = ErrorBody),
        (status = 422, description = "Invalid items, recipients or payment method, or the key was used with another body.", body = ErrorBody),
        (status = 502, description = "Stripe refused to create the payment; nothing was kept.", body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; nothing was kept, retry with the same key.", body = ErrorBody),
    )
)]
#[post("/api/v1/public/storefronts/{slug}/orders")]
pub async fn place_order(
    request: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Json<CheckoutBody>,
) -> Result<HttpResponse, ApiError> {
    let storefront = visible_storefront(&state, &slug).await?;
    require_unlocked(&request, &storefront)?;
    let body = body.into_inner();
    let raw = serde_json::to_value(&body).map_err(ApiError::internal)?;
    let scope = format!("orders:{}", storefront.id);
    crate::idempotency::once(&request, &state, &scope, &raw, async |txn| {
        let priced = price_order(&state, txn, &storefront, &body).await?;
        let placed = store_order(&state, txn, &storefront, priced).await?;
        Ok((StatusCode::CREATED, placed))
    })
    .await
}

/// Stores the order in the caller's transaction, then either queues the customer's
/// invoice email (bank transfer) or creates its PaymentIntent (card).
async fn store_order(
    state: &AppState,
    txn: &sea_orm::DatabaseTransaction,
    storefront: &storefront::Model,
    priced: Priced,
) -> Result<PlacedOrder, ApiError> {
    let Priced { quote, order } = priced;
    let actor = format!("customer:{}", order.customer_email);
    let detail = orders::create(txn, order, &actor).await?;
    let reference = payment_reference(detail.order.id);
    let card_payment = if detail.order.payment_method == "card" {
        Some(create_payment_intent(state, txn, storefront, &detail.order).await?)
    } else {
        queue_invoice(txn, storefront, &detail.order, &quote).await?;
        None
    };
    Ok(PlacedOrder {
        id: detail.order.id,
        status: detail.order.status,
        payment_method: detail.order.payment_method,
        quote,
        payment_reference: reference,
        card_payment,
    })
}

async fn queue_invoice(
    txn: &sea_orm::DatabaseTransaction,
    storefront: &storefront::Model,
    order: &order::Model,
    quote: &Quote,
) -> Result<(), ApiError> {
    let vars = BTreeMap::from([
        ("customer_name".to_owned(), order.customer_name.clone()),
        ("storefront_name".to_owned(), storefront.name.clone()),
        ("payment_reference".to_owned(), payment_reference(order.id)),
        (
            "total".to_owned(),
            format_money(quote.total_minor, &quote.currency),
        ),
        ("recipients".to_owned(), quote.recipients.len().to_string()),
    ]);
    let email = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: order.customer_email.clone(),
        template: "order_invoice".into(),
        vendor_id: Some(storefront.vendor_id),
        vars,
    });
    jobs::enqueue(txn, JobId::new(), &email, jobs::now()).await?;
    Ok(())
}

/// Creates the order's PaymentIntent: the whole total, a destination charge to the
/// vendor's account, the platform fee as application fee. Keyed by the order id, so a
/// retried call returns the same intent. If Stripe fails the order's transaction rolls
/// back (503): the shopper never holds a client secret for an order we did not keep.
async fn create_payment_intent(
    state: &AppState,
    txn: &sea_orm::DatabaseTransaction,
    storefront: &storefront::Model,
    order: &order::Model,
) -> Result<CardPayment, ApiError> {
    let stripe = super::payments::stripe(state)?;
    let destination = payment_accounts::find(txn, VendorId::from(order.vendor_id))
        .await?
        .and_then(|account| account.stripe_account_id)
        .ok_or_else(|| ApiError::conflict("The vendor's Stripe account was disconnected."))?;
    let reference = payment_reference(order.id);
    let intent = stripe
        .create_payment_intent(NewPaymentIntent {
            idempotency_key: format!("trove:order:{}:payment-intent", order.id),
            amount_minor: order.total_minor,
            currency: &order.currency,
            destination: &destination,
            application_fee_minor: order.platform_fee_minor,
            description: format!("{} order {reference}", storefront.name),
            receipt_email: &order.customer_email,
            metadata: BTreeMap::from([
                ("order_id".to_owned(), order.id.to_string()),
                ("storefront_id".to_owned(), storefront.id.to_string()),
                ("payment_reference".to_owned(), reference),
            ]),
        })
        .await?;
    let client_secret = intent
        .client_secret
        .ok_or_else(|| ApiError::internal("Stripe returned no client secret"))?;
    orders::set_payment_intent(txn, order.clone(), &intent.id).await?;
    Ok(CardPayment {
        payment_intent_id: intent.id,
        client_secret,
    })
}

/// `AUD 210.02` from minor units (two-decimal currencies; the email shows it as text).
pub(crate) fn format_money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{currency} {sign}{}.{:02}", minor / 100, minor % 100)
}
