//! Gift redemption codes. A code is shown once (in the gift email or to the customer for
//! `create_link`) and stored only as its SHA-256, unique across recipients; issuing a new
//! code replaces the old one, which then finds nothing.

use crate::entities::order_recipient::{self, Entity as Recipients};
use crate::jobs::now;
use crate::orders;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use trove_domain::order::RecipientStatus;

/// The stored form of a redemption code (lower-case hex SHA-256).
pub fn code_hash(code: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, code.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Gives `current` the code hashed as `hash`, valid until `expires_at`, and moves it to
/// `scheduled` (logged as `actor`).
pub async fn issue_code(
    db: &impl ConnectionTrait,
    current: order_recipient::Model,
    hash: String,
    expires_at: chrono::NaiveDateTime,
    actor: &str,
    note: Option<String>,
) -> Result<order_recipient::Model, DbErr> {
    let mut active: order_recipient::ActiveModel = current.into();
    active.code_hash = Set(Some(hash));
    active.code_expires_at = Set(Some(expires_at));
    active.updated_at = Set(now());
    let recipient = active.update(db).await?;
    orders::set_recipient_status(db, recipient, RecipientStatus::Scheduled, actor, note).await
}

/// The recipient whose current code hashes to `hash`.
pub async fn find_by_code_hash(
    db: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<order_recipient::Model>, DbErr> {
    Recipients::find()
        .filter(order_recipient::Column::CodeHash.eq(hash))
        .one(db)
        .await
}

/// Stores the recipient's picks (order line id → variant id, as JSON).
pub async fn set_cart(
    db: &impl ConnectionTrait,
    current: order_recipient::Model,
    cart_json: String,
) -> Result<order_recipient::Model, DbErr> {
    let mut active: order_recipient::ActiveModel = current.into();
    active.cart = Set(Some(cart_json));
    active.updated_at = Set(now());
    active.update(db).await
}

/// Records the address the recipient confirmed and the zone it resolved to.
pub async fn set_address(
    db: &impl ConnectionTrait,
    current: order_recipient::Model,
    address_json: String,
    zone_id: uuid::Uuid,
) -> Result<order_recipient::Model, DbErr> {
    let mut active: order_recipient::ActiveModel = current.into();
    active.address = Set(Some(address_json));
    active.zone_id = Set(Some(zone_id));
    active.updated_at = Set(now());
    active.update(db).await
}

/// A recipient by id, for the holder of their Recipient token.
pub async fn find_recipient(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<order_recipient::Model>, DbErr> {
    Recipients::find_by_id(id).one(db).await
}
