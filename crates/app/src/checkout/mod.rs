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
//!
//! Placing a card order asks Stripe for its PaymentIntent before anything is written (no
//! transaction waits on Stripe), then prices again and stores the order, its intent,
//! `OrderPlaced` and the idempotent answer in one unit of work. Stripe failing leaves
//! nothing behind but an unconfirmed intent that Stripe expires.

mod card;
mod items;
mod pricing;
mod recipients;

use crate::catalogue::Price;
use crate::events::{DomainEvent, OrderPlaced};
use crate::idempotency::{self, IdempotencyKey, StoredAnswer};
use crate::shipping::AddressInput;
use crate::{App, AppError, FieldError, UnitOfWork};
use chrono::NaiveDate;
use pricing::{Priced, price_order};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trove_data_access::entities::storefront;
use trove_data_access::orders;
use trove_domain::ids::{OrderId, VendorId};
use trove_domain::order::{OrderStatus, payment_reference};
use trove_domain::storefront::DeliveryMethod;
use utoipa::ToSchema;
use uuid::Uuid;

/// The most recipients one order takes in its body (larger lists go through a CSV upload).
const MAX_RECIPIENTS: usize = 1_000;
/// The most recipients one order takes altogether.
const MAX_ORDER_RECIPIENTS: usize = 20_000;
const MAX_ITEMS: usize = 50;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(format = Email)]
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    pub variant_id: Uuid,
    /// Per recipient, 1–100.
    #[schema(minimum = 1, maximum = 100)]
    pub quantity: u32,
    /// Option label → value, e.g. `{"Engraving": "Happy birthday"}`.
    #[serde(default)]
    pub customisation: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientBody {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(format = Email)]
    pub email: String,
    /// Required for `deliver_direct`; optional for link gifts (the recipient confirms it).
    pub address: Option<AddressInput>,
    /// `deliver_direct`, `email_link` or `create_link`, among those the storefront enables.
    #[schema(value_type = String, pattern = "^(deliver_direct|email_link|create_link)$")]
    pub delivery_method: DeliveryMethod,
    #[schema(max_length = 500)]
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
    #[schema(pattern = "^(bank_transfer|card)$")]
    pub payment_method: String,
    /// The items every recipient receives (or give a `budget` instead).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub items: Vec<ItemBody>,
    /// Instead of items: each recipient chooses their gift from the storefront up to this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Price>,
    /// At most 1000; larger lists go through `recipient_list_id`.
    #[serde(default)]
    #[schema(max_items = 1000)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct PlacedOrder {
    pub id: Uuid,
    /// `created` until paid.
    #[schema(value_type = String)]
    pub status: OrderStatus,
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

/// Records `message` against `field` in a checkout's list of problems.
fn field(errors: &mut Vec<FieldError>, field: String, message: impl Into<String>) {
    errors.push(FieldError {
        field,
        message: message.into(),
    });
}

/// Prices `body` on `storefront` without creating anything.
pub async fn quote(
    app: &App,
    storefront: &storefront::Model,
    body: &CheckoutBody,
) -> Result<Quote, AppError> {
    Ok(price_order(app, &app.db, storefront, body).await?.quote)
}

/// Places an order from `body` on `storefront`, at most once per `key`: the answer (201
/// and the placed order) is stored with the order, and a repeat of the key gets it back.
pub async fn place_order(
    app: &App,
    storefront: &storefront::Model,
    body: &CheckoutBody,
    key: Option<IdempotencyKey>,
) -> Result<StoredAnswer, AppError> {
    idempotency::once(app, key, async || place(app, storefront, body).await).await
}

/// Prices and writes the order in a unit of work left for the caller to commit with the
/// answer.
async fn place(
    app: &App,
    storefront: &storefront::Model,
    body: &CheckoutBody,
) -> Result<(UnitOfWork, StoredAnswer), AppError> {
    let order_id = OrderId::new();
    let intent = match body.payment_method.as_str() {
        "card" => {
            let priced = price_order(app, &app.db, storefront, body).await?;
            Some(card::create_intent(app, storefront, order_id, &priced).await?)
        }
        _ => None,
    };
    let mut uow = UnitOfWork::begin(app).await?;
    let Priced { quote, mut order } = price_order(app, &*uow, storefront, body).await?;
    if let Some(intent) = &intent {
        if intent.amount_minor != order.breakdown.total_minor
            || intent.application_fee_minor != order.breakdown.platform_fee_minor
        {
            return Err(AppError::conflict(
                "prices_changed",
                "The storefront's prices changed while the order was placed; quote again.",
            ));
        }
        order.payment_intent_id = Some(intent.id.clone());
    }
    let actor = format!("customer:{}", order.customer_email);
    let detail = orders::create(&*uow, order_id, order, &actor).await?;
    let order = detail.order;
    uow.emit(DomainEvent::OrderPlaced(OrderPlaced {
        order_id,
        vendor_id: VendorId::from(order.vendor_id),
        storefront_name: storefront.name.clone(),
        customer_name: order.customer_name.clone(),
        customer_email: order.customer_email.clone(),
        payment_method: order.payment_method.clone(),
        total_minor: order.total_minor,
        currency: order.currency.clone(),
        recipients: detail.recipients.len(),
    }));
    let placed = PlacedOrder {
        id: order.id,
        status: order.status,
        payment_method: order.payment_method,
        quote,
        payment_reference: payment_reference(order_id.as_uuid()),
        card_payment: intent.map(|intent| CardPayment {
            payment_intent_id: intent.id,
            client_secret: intent.client_secret,
        }),
    };
    Ok((uow, StoredAnswer::created(&placed)?))
}
