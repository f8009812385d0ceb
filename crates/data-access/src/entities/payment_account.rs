//! `payment_accounts`: a vendor's Stripe connected account and what Stripe last said
//! about it (`account.updated`). `connection_id` keys the Stripe request that created it.

use sea_orm::entity::prelude::*;
use trove_domain::payment::AccountKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub vendor_id: Uuid,
    pub connection_id: Uuid,
    pub kind: AccountKind,
    pub stripe_account_id: Option<String>,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    pub disabled_reason: Option<String>,
    /// JSON array of the requirement names currently due.
    pub requirements_due: String,
    /// JSON object: capability name → `active` / `inactive` / `pending`.
    pub capabilities: String,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
