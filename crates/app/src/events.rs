//! Domain events: the moments other parts of the system (notifications, shipping,
//! gift delivery, and next accounting and shop integrations) react to.
//!
//! Policy: a use case raises an event inside its unit of work once the change it
//! describes is written; an event carries what its subscribers need (ids and the facts
//! of the moment), never a half-built row. Reacting is the subscribers' business
//! (`crate::subscribers`), not the emitter's.

use chrono::NaiveDateTime;
use trove_domain::ids::{OrderId, RecipientId, VendorId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainEvent {
    OrderPlaced(OrderPlaced),
    OrderPaid(OrderPaid),
    OrderCancelled(OrderCancelled),
    OrderRefunded(OrderRefunded),
    /// A recipient's address is settled (given at checkout for a direct delivery and the
    /// order paid, or confirmed by the recipient): the gift can ship.
    RecipientReady(RecipientReady),
    GiftCodesIssued(GiftCodesIssued),
    GiftRedeemed(GiftRedeemed),
}

impl DomainEvent {
    /// A stable name for logs.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::OrderPlaced(_) => "order_placed",
            Self::OrderPaid(_) => "order_paid",
            Self::OrderCancelled(_) => "order_cancelled",
            Self::OrderRefunded(_) => "order_refunded",
            Self::RecipientReady(_) => "recipient_ready",
            Self::GiftCodesIssued(_) => "gift_codes_issued",
            Self::GiftRedeemed(_) => "gift_redeemed",
        }
    }
}

/// A shopper placed an order; it waits for payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPlaced {
    pub order_id: OrderId,
    pub vendor_id: VendorId,
    pub storefront_name: String,
    pub customer_name: String,
    pub customer_email: String,
    /// `bank_transfer` or `card`.
    pub payment_method: String,
    pub total_minor: i64,
    pub currency: String,
    pub recipients: usize,
}

/// The order's money came in (once per order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderPaid {
    pub order_id: OrderId,
    pub vendor_id: VendorId,
    pub total_minor: i64,
    pub currency: String,
    pub recipients: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCancelled {
    pub order_id: OrderId,
    pub vendor_id: VendorId,
}

/// Money went back to the customer (any part of the total).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRefunded {
    pub order_id: OrderId,
    pub vendor_id: VendorId,
    /// Refunded altogether so far, and the platform fee given back with it.
    pub refunded_minor: i64,
    pub fee_refunded_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientReady {
    pub order_id: OrderId,
    pub recipient_id: RecipientId,
}

/// Link gifts received fresh redemption codes (on payment, or a reissue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftCodesIssued {
    pub order_id: OrderId,
    pub vendor_id: VendorId,
    pub customer_name: String,
    pub customer_email: String,
    pub codes: Vec<IssuedCode>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    pub recipient_id: RecipientId,
    pub recipient_name: String,
    pub delivery: LinkDelivery,
    /// The code itself: only its hash is stored, so this is the one chance to send it.
    pub code: String,
    /// When the gift goes out (its send date, or now).
    pub send_at: NaiveDateTime,
}

/// How a link gift reaches its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDelivery {
    /// We email the recipient on the send date.
    EmailLink,
    /// The customer hands the link out: we email it to them.
    CreateLink,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftRedeemed {
    pub order_id: OrderId,
    pub recipient_id: RecipientId,
}
