//! `feature_flag_rollouts`: the share of vendors (0–100 %) a flag is on for.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feature_flag_rollouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub flag: String,
    pub percentage: i32,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
