//! `UnitOfWork`: one write transaction plus the domain events raised inside it.
//!
//! Policy: committing first hands every event to the subscribers (which write their
//! outbox jobs through the same transaction), then commits, so a business change and
//! everything it causes land together or not at all. Dropping it uncommitted rolls back
//! and forgets the events.

use crate::events::DomainEvent;
use crate::{App, subscribers};
use sea_orm::{DatabaseTransaction, DbErr};
use std::ops::Deref;

#[derive(Debug)]
pub struct UnitOfWork {
    txn: DatabaseTransaction,
    events: Vec<DomainEvent>,
}

impl UnitOfWork {
    /// Opens a write transaction (on SQLite it takes the write lock at once).
    pub async fn begin(app: &App) -> Result<Self, DbErr> {
        Ok(Self {
            txn: trove_data_access::begin_write(&app.db).await?,
            events: Vec::new(),
        })
    }

    /// Raises `event`: its subscribers run when the unit commits.
    pub fn emit(&mut self, event: DomainEvent) {
        self.events.push(event);
    }

    /// Delivers the events to their subscribers, then commits.
    pub async fn commit(self, app: &App) -> Result<(), DbErr> {
        for event in &self.events {
            tracing::info!(event = event.name(), "domain event");
            subscribers::deliver(&self.txn, app, event).await?;
        }
        self.txn.commit().await
    }
}

impl Deref for UnitOfWork {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}
