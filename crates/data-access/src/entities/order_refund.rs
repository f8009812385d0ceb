//! `order_refunds`: one Stripe refund of a card order, with the platform fee part it gave back.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_refunds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub order_id: Uuid,
    pub stripe_refund_id: String,
    pub amount_minor: i64,
    pub fee_refunded_minor: i64,
    /// Stripe's refund status: `pending`, `succeeded`, `failed`, `canceled`, `requires_action`.
    pub status: String,
    pub reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
