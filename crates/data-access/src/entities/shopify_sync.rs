//! `shopify_syncs`: one catalogue import a vendor asked for, with its progress.

use sea_orm::entity::prelude::*;
use trove_domain::shopify::SyncStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shopify_syncs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub vendor_id: Uuid,
    pub status: SyncStatus,
    pub seen: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub archived: i32,
    pub failed: i32,
    /// JSON array of `{"product": gid, "title": …, "reason": …}`, the first 100 failures.
    #[sea_orm(column_type = "Text")]
    pub failures: String,
    pub error: Option<String>,
    pub created_at: DateTime,
    pub started_at: Option<DateTime>,
    pub finished_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
