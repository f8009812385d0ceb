//! `uploads`: files a vendor declared, where they are stored, and whether they were checked.

use sea_orm::entity::prelude::*;
use trove_domain::upload::{UploadPurpose, UploadStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "uploads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub vendor_id: Uuid,
    pub purpose: UploadPurpose,
    pub content_type: String,
    pub size_bytes: i64,
    #[sea_orm(unique)]
    pub storage_key: String,
    pub status: UploadStatus,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime,
    pub confirmed_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
