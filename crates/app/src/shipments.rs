//! Pushing a ready recipient's shipment to fulfilment (the worker's `push_order` job).
//! No fulfilment system is connected yet, so a push records that the shipment awaits
//! manual fulfilment; a recipient pushed already is left alone.

use crate::{App, AppError, UnitOfWork};
use trove_data_access::orders;
use trove_domain::ids::{OrderId, RecipientId};
use trove_domain::order::RecipientStatus;

/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Pushed,
    /// Not `address_confirmed` (pushed already, or moved on).
    NothingToDo,
}

/// Pushes `recipient_id` of `order_id`. A recipient that no longer exists is
/// `AppError::NotFound`.
pub async fn push(
    app: &App,
    order_id: OrderId,
    recipient_id: RecipientId,
) -> Result<PushOutcome, AppError> {
    let uow = UnitOfWork::begin(app).await?;
    let recipient = orders::find_recipient(&*uow, order_id.as_uuid(), recipient_id.as_uuid())
        .await?
        .ok_or_else(|| AppError::not_found("the recipient no longer exists"))?;
    let status = recipient.status;
    if status != RecipientStatus::AddressConfirmed {
        tracing::info!(recipient = %recipient.id, %status, "already pushed; nothing to do");
        return Ok(PushOutcome::NothingToDo);
    }
    orders::set_recipient_status(
        &*uow,
        recipient,
        RecipientStatus::Pushed,
        "system",
        Some("awaiting manual fulfilment: no fulfilment system is connected".into()),
    )
    .await?;
    uow.commit(app).await?;
    Ok(PushOutcome::Pushed)
}
