//! The one place where domain events meet the work they cause.
//!
//! Policy: every subscriber is listed in [`deliver`], runs inside the emitting unit of
//! work and only writes outbox jobs (or its own rows) through that transaction; it never
//! calls an outside system. Adding an integration means adding a subscriber here and a
//! job handler in the worker, without touching the use cases that raise the events.

mod gift_delivery;
mod invoices;
mod shipments;
mod slack;

use crate::App;
use crate::events::DomainEvent;
use sea_orm::{ConnectionTrait, DbErr};

/// Hands `event` to every subscriber, in a fixed order.
pub async fn deliver(
    db: &impl ConnectionTrait,
    app: &App,
    event: &DomainEvent,
) -> Result<(), DbErr> {
    slack::on(db, event).await?;
    invoices::on(db, event).await?;
    shipments::on(db, event).await?;
    gift_delivery::on(db, app, event).await?;
    Ok(())
}
