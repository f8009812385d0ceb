//! `orders`: one priced order on a storefront; amounts in minor units of `currency`.

use sea_orm::entity::prelude::*;
use trove_domain::order::OrderStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub vendor_id: Uuid,
    pub storefront_id: Uuid,
    pub customer_email: String,
    pub customer_name: String,
    pub status: OrderStatus,
    pub payment_method: String,
    pub currency: String,
    pub items_per_recipient_minor: i64,
    pub items_minor: i64,
    pub shipping_minor: i64,
    pub fee_basis_points: i32,
    pub platform_fee_minor: i64,
    pub fee_charged_minor: i64,
    pub total_minor: i64,
    /// Set when each recipient chooses their gift up to this amount (no line items).
    pub budget_minor: Option<i64>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
    pub paid_at: Option<DateTime>,
    /// The Stripe PaymentIntent of a card order.
    pub payment_intent_id: Option<String>,
    /// Why the last card payment attempt failed (cleared when it succeeds).
    pub payment_failure: Option<String>,
    /// What has been refunded to the customer so far.
    pub refunded_minor: i64,
    /// The part of the platform fee given back with those refunds (proportional).
    pub fee_refunded_minor: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
