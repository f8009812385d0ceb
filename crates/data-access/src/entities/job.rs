//! A row of the `jobs` table: the transactional outbox and the embedded queue.

use sea_orm::entity::prelude::*;
use trove_domain::job::{JobStatus, Lane};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub status: JobStatus,
    /// The lane its kind runs in (`Lane::of_kind`), for the claim's index.
    pub lane: Lane,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime,
    pub locked_until: Option<DateTime>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
