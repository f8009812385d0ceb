//! `stripe_events`: every verified webhook event, stored once by its Stripe id.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub event_type: String,
    /// The connected account a Connect event is about.
    pub account: Option<String>,
    /// The raw event JSON as Stripe sent it.
    pub payload: String,
    pub received_at: DateTime,
    pub processed_at: Option<DateTime>,
    /// What processing did (or why it ignored the event).
    pub outcome: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
