//! Stripe webhook events, stored once by their Stripe id (the caller queues their
//! processing in the same transaction), so a redelivered event has no second effect.

use crate::entities::stripe_event::{self, Entity as Events};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, SqlErr};

/// A verified event as received.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: String,
    pub event_type: String,
    pub account: Option<String>,
    pub payload: String,
}

/// Stores the event unless it is stored already (a redelivery, or a concurrent delivery
/// that inserted first): `false` then, and nothing is written.
pub async fn insert_new(db: &impl ConnectionTrait, event: NewEvent) -> Result<bool, DbErr> {
    if Events::find_by_id(event.id.as_str())
        .one(db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let inserted = stripe_event::ActiveModel {
        id: Set(event.id),
        event_type: Set(event.event_type.chars().take(255).collect()),
        account: Set(event.account),
        payload: Set(event.payload),
        received_at: Set(now()),
        processed_at: Set(None),
        outcome: Set(None),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(false)
        }
        Err(error) => Err(error),
    }
}

pub async fn find(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<stripe_event::Model>, DbErr> {
    Events::find_by_id(id).one(db).await
}

/// Marks the event processed with what happened.
pub async fn processed(
    db: &impl ConnectionTrait,
    current: stripe_event::Model,
    outcome: &str,
) -> Result<(), DbErr> {
    let mut active: stripe_event::ActiveModel = current.into();
    active.processed_at = Set(Some(now()));
    active.outcome = Set(Some(outcome.chars().take(500).collect()));
    active.update(db).await?;
    Ok(())
}
