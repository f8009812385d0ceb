//! The recipient's side of a gift: redeeming a code, confirming where it goes, and the
//! worker sending an `email_link` gift on its send date.
//!
//! Policy: one generic "no gift" answer for unknown, dead and expired codes alike, so a
//! code cannot be probed; a code past its expiry turns the gift `expired` on first use.
//! A confirmed address raises `RecipientReady`, which ships it.

pub mod codes;
mod sending;

pub use codes::gift_link;
pub use sending::{SendOutcome, send_gift};

use crate::events::{DomainEvent, GiftRedeemed, RecipientReady};
use crate::shipping::{AddressInput, resolve_address, zones_for};
use crate::{App, AppError, UnitOfWork};
use trove_data_access::entities::order_recipient;
use trove_data_access::{gifts, jobs, orders};
use trove_domain::ids::{OrderId, RecipientId, StorefrontId, VendorId};
use trove_domain::order::RecipientStatus;

pub fn no_gift() -> AppError {
    AppError::not_found("No gift with this code, or it is no longer valid.")
}

/// Exchanges a code for its gift: an open gift becomes `redeemed` (once; redeeming again
/// opens it again), an expired one answers `no_gift`.
pub async fn redeem(app: &App, code: &str) -> Result<order_recipient::Model, AppError> {
    let mut uow = UnitOfWork::begin(app).await?;
    let recipient = gifts::find_by_code_hash(&*uow, &gifts::code_hash(code.trim()))
        .await?
        .ok_or_else(no_gift)?;
    let status = recipient.status;
    let open = matches!(
        status,
        RecipientStatus::Scheduled | RecipientStatus::LinkSent
    );
    let ran_out = recipient
        .code_expires_at
        .is_none_or(|expires| expires < jobs::now());
    if open && ran_out {
        orders::set_recipient_status(&*uow, recipient, RecipientStatus::Expired, "system", None)
            .await?;
        uow.commit(app).await?;
        return Err(no_gift());
    }
    let recipient = match status {
        _ if open => {
            let recipient = orders::set_recipient_status(
                &*uow,
                recipient,
                RecipientStatus::Redeemed,
                "recipient",
                None,
            )
            .await?;
            uow.emit(DomainEvent::GiftRedeemed(GiftRedeemed {
                order_id: OrderId::from(recipient.order_id),
                recipient_id: RecipientId::from(recipient.id),
            }));
            recipient
        }
        RecipientStatus::Expired => return Err(no_gift()),
        // Already redeemed: the link opens the gift again.
        _ => recipient,
    };
    uow.commit(app).await?;
    Ok(recipient)
}

/// The answer when a gift is past the point where the recipient may change it.
pub fn not_open(status: RecipientStatus) -> AppError {
    AppError::conflict(
        "gift_not_open",
        format!(
            "The gift is {status}; it can only be changed after redeeming and before its address is confirmed."
        ),
    )
}

/// Confirms where a redeemed gift goes: the address must fall in one of the storefront's
/// zones (422 on `address` with the reason otherwise). A budget gift must be chosen first.
pub async fn confirm_address(
    app: &App,
    recipient: order_recipient::Model,
    address: &AddressInput,
) -> Result<order_recipient::Model, AppError> {
    if recipient.status != RecipientStatus::Redeemed {
        return Err(not_open(recipient.status));
    }
    let vendor = VendorId::from(recipient.vendor_id);
    let order = orders::find(&app.db, vendor, recipient.order_id)
        .await?
        .ok_or_else(no_gift)?
        .order;
    let chosen = recipient
        .cart
        .as_deref()
        .and_then(|cart| serde_json::from_str::<Vec<serde_json::Value>>(cart).ok())
        .is_some_and(|items| !items.is_empty());
    if order.budget_minor.is_some() && !chosen {
        return Err(AppError::conflict(
            "nothing_chosen",
            "Choose your gift before confirming the address.",
        ));
    }
    let zones = zones_for(&app.db, vendor, StorefrontId::from(order.storefront_id)).await?;
    let zone =
        resolve_address(&zones, address).map_err(|reason| AppError::invalid("address", reason))?;
    let address_json = serde_json::to_string(address).map_err(AppError::internal)?;
    let mut uow = UnitOfWork::begin(app).await?;
    let recipient = gifts::set_address(&*uow, recipient, address_json, zone.id).await?;
    let recipient = orders::set_recipient_status(
        &*uow,
        recipient,
        RecipientStatus::AddressConfirmed,
        "recipient",
        None,
    )
    .await?;
    uow.emit(DomainEvent::RecipientReady(RecipientReady {
        order_id: OrderId::from(recipient.order_id),
        recipient_id: RecipientId::from(recipient.id),
    }));
    uow.commit(app).await?;
    Ok(recipient)
}
