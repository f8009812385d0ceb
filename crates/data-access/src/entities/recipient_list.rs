//! `recipient_lists`: a bulk recipient CSV being read, with its progress and outcome.

use sea_orm::entity::prelude::*;
use trove_domain::recipient_csv::{RecipientListStatus, Template};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recipient_lists")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub vendor_id: Uuid,
    pub storefront_id: Uuid,
    pub upload_id: Uuid,
    pub template: Template,
    pub status: RecipientListStatus,
    pub rows_total: i32,
    pub rows_done: i32,
    pub good_rows: i32,
    pub failed_rows: i32,
    pub failure: Option<String>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
