//! Vendors' Shopify connections and the webhook deliveries received.
//!
//! A vendor has at most one connection and a shop belongs to at most one vendor (a unique
//! index on `shop`). Tokens arrive here already sealed; this module stores and clears
//! them, never sees them in the clear. A webhook delivery is stored once by its id (the
//! caller queues its processing in the same transaction), so a redelivery does nothing.

use crate::entities::shopify_connection::{self, Entity as Connections};
use crate::entities::shopify_webhook::{self, Entity as Webhooks};
use crate::jobs::now;
use chrono::NaiveDateTime;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    SqlErr,
};
use trove_domain::ids::VendorId;
use trove_domain::shopify::{ConnectionStatus, ShopDomain};

/// A connection as the install callback completes it.
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub vendor: VendorId,
    pub shop: ShopDomain,
    pub shop_name: String,
    pub currency: String,
    pub scopes: String,
    /// Sealed tokens (JSON), with when each expires.
    pub access_token: String,
    pub access_token_expires_at: Option<NaiveDateTime>,
    pub refresh_token: Option<String>,
    pub refresh_token_expires_at: Option<NaiveDateTime>,
}

pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
) -> Result<Option<shopify_connection::Model>, DbErr> {
    Connections::find_by_id(vendor.as_uuid()).one(db).await
}

pub async fn find_by_shop(
    db: &impl ConnectionTrait,
    shop: &ShopDomain,
) -> Result<Option<shopify_connection::Model>, DbErr> {
    Connections::find()
        .filter(shopify_connection::Column::Shop.eq(shop.as_str()))
        .one(db)
        .await
}

/// Replaces whatever the vendor had, and any no-longer-connected row of another vendor
/// for the same shop, with `new`. The caller has checked that no other vendor holds the
/// shop connected; the unique index on `shop` refuses a race it could not see.
pub async fn replace(
    db: &impl ConnectionTrait,
    new: NewConnection,
) -> Result<shopify_connection::Model, DbErr> {
    Connections::delete_many()
        .filter(
            Condition::any()
                .add(shopify_connection::Column::VendorId.eq(new.vendor.as_uuid()))
                .add(shopify_connection::Column::Shop.eq(new.shop.as_str())),
        )
        .exec(db)
        .await?;
    let at = now();
    shopify_connection::ActiveModel {
        vendor_id: Set(new.vendor.as_uuid()),
        shop: Set(new.shop.to_string()),
        status: Set(ConnectionStatus::Connected),
        shop_name: Set(new.shop_name.chars().take(255).collect()),
        currency: Set(new.currency.chars().take(3).collect()),
        scopes: Set(new.scopes.chars().take(1000).collect()),
        access_token: Set(Some(new.access_token)),
        access_token_expires_at: Set(new.access_token_expires_at),
        refresh_token: Set(new.refresh_token),
        refresh_token_expires_at: Set(new.refresh_token_expires_at),
        last_error: Set(None),
        last_sync_at: Set(None),
        connected_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
}

/// Moves the connection to `status`; any status but `connected` forgets the tokens.
pub async fn set_status(
    db: &impl ConnectionTrait,
    current: shopify_connection::Model,
    status: ConnectionStatus,
    last_error: Option<String>,
) -> Result<shopify_connection::Model, DbErr> {
    let mut active: shopify_connection::ActiveModel = current.into();
    active.status = Set(status);
    if status != ConnectionStatus::Connected {
        active.access_token = Set(None);
        active.access_token_expires_at = Set(None);
        active.refresh_token = Set(None);
        active.refresh_token_expires_at = Set(None);
    }
    active.last_error = Set(last_error.map(|error| error.chars().take(1000).collect()));
    active.updated_at = Set(now());
    active.update(db).await
}

/// Forgets the vendor's connection altogether; `false` when there was none.
pub async fn delete(db: &impl ConnectionTrait, vendor: VendorId) -> Result<bool, DbErr> {
    let deleted = Connections::delete_by_id(vendor.as_uuid()).exec(db).await?;
    Ok(deleted.rows_affected > 0)
}

/// Stores a webhook delivery unless it is stored already (a redelivery, or a concurrent
/// delivery that inserted first): `false` then, and nothing is written.
pub async fn record_webhook(
    db: &impl ConnectionTrait,
    webhook_id: &str,
    shop: &ShopDomain,
    topic: &str,
) -> Result<bool, DbErr> {
    if Webhooks::find_by_id(webhook_id).one(db).await?.is_some() {
        return Ok(false);
    }
    let inserted = shopify_webhook::ActiveModel {
        webhook_id: Set(webhook_id.to_owned()),
        shop: Set(shop.to_string()),
        topic: Set(topic.chars().take(128).collect()),
        received_at: Set(now()),
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

/// Notes a finished catalogue sync (and clears the last error), or the error that stopped it.
pub async fn note_sync(
    db: &impl ConnectionTrait,
    current: shopify_connection::Model,
    error: Option<String>,
) -> Result<shopify_connection::Model, DbErr> {
    let at = now();
    let mut active: shopify_connection::ActiveModel = current.into();
    if error.is_none() {
        active.last_sync_at = Set(Some(at));
    }
    active.last_error = Set(error.map(|error| error.chars().take(1000).collect()));
    active.updated_at = Set(at);
    active.update(db).await
}

/// Replaces the connection's tokens after a refresh, only if its refresh token is still
/// `expected_refresh` (compare-and-set): `false` when another process refreshed first, and
/// the caller then uses the tokens that process stored.
#[allow(clippy::too_many_arguments)]
pub async fn swap_tokens(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    expected_refresh: &str,
    access_token: String,
    access_token_expires_at: Option<NaiveDateTime>,
    refresh_token: Option<String>,
    refresh_token_expires_at: Option<NaiveDateTime>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let result = Connections::update_many()
        .col_expr(
            shopify_connection::Column::AccessToken,
            Expr::value(Some(access_token)),
        )
        .col_expr(
            shopify_connection::Column::AccessTokenExpiresAt,
            Expr::value(access_token_expires_at),
        )
        .col_expr(
            shopify_connection::Column::RefreshToken,
            Expr::value(refresh_token),
        )
        .col_expr(
            shopify_connection::Column::RefreshTokenExpiresAt,
            Expr::value(refresh_token_expires_at),
        )
        .col_expr(shopify_connection::Column::UpdatedAt, Expr::value(now()))
        .filter(shopify_connection::Column::VendorId.eq(vendor.as_uuid()))
        .filter(shopify_connection::Column::Status.eq(ConnectionStatus::Connected.as_str()))
        .filter(shopify_connection::Column::RefreshToken.eq(expected_refresh))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
