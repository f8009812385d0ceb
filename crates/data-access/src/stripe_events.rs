//! Stripe webhook events, stored once by their Stripe id together with the job that
//! processes them (same transaction), so a redelivered event has no second effect.

use crate::entities::stripe_event::{self, Entity as Events};
use crate::jobs::{self, now};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, SqlErr};
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, ProcessStripeEvent};

/// A verified event as received.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: String,
    pub event_type: String,
    pub account: Option<String>,
    pub payload: String,
}

/// Stores the event and queues its processing. `false` when the event was already
/// stored (a redelivery): nothing is written.
pub async fn receive(db: &DatabaseConnection, event: NewEvent) -> Result<bool, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    if Events::find_by_id(event.id.as_str())
        .one(&txn)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let job = JobPayload::ProcessStripeEvent(ProcessStripeEvent {
        v: 1,
        event_id: event.id.clone(),
    });
    let inserted = stripe_event::ActiveModel {
        id: Set(event.id),
        event_type: Set(event.event_type.chars().take(255).collect()),
        account: Set(event.account),
        payload: Set(event.payload),
        received_at: Set(now()),
        processed_at: Set(None),
        outcome: Set(None),
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        // A concurrent delivery of the same event stored it first.
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Ok(false);
        }
        Err(error) => return Err(error),
    }
    jobs::enqueue(&txn, JobId::new(), &job, now()).await?;
    txn.commit().await?;
    Ok(true)
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
