//! Orders with their lines, recipients and event log. Vendor-side reads are scoped by
//! vendor; every status change writes its event in the caller's transaction.

use crate::entities::order::{self, Entity as Orders};
use crate::entities::order_event::{self, Entity as Events};
use crate::entities::order_line::{self, Entity as Lines};
use crate::entities::order_recipient::{self, Entity as Recipients};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
mod create;

pub use create::{NewLine, NewOrder, NewRecipient, create};

use trove_domain::ids::VendorId;
use trove_domain::order::{OrderStatus, RecipientStatus};

#[derive(Debug, Clone)]
pub struct OrderDetail {
    pub order: order::Model,
    pub lines: Vec<order_line::Model>,
    pub recipients: Vec<order_recipient::Model>,
}

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    /// Part of the customer's email or name, case-insensitive.
    pub search: Option<String>,
}

/// Records a status change of the order (or of one recipient) by `actor`.
pub async fn append_event(
    db: &impl ConnectionTrait,
    order_id: uuid::Uuid,
    recipient_id: Option<uuid::Uuid>,
    actor: &str,
    from: Option<&str>,
    to: &str,
    note: Option<String>,
) -> Result<(), DbErr> {
    Events::insert(order_event::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        order_id: Set(order_id),
        recipient_id: Set(recipient_id),
        actor: Set(actor.chars().take(300).collect()),
        from_status: Set(from.map(str::to_owned)),
        to_status: Set(to.to_owned()),
        note: Set(note),
        created_at: Set(now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// An order's recipients in checkout order.
pub async fn recipients_of(
    db: &impl ConnectionTrait,
    order_id: uuid::Uuid,
) -> Result<Vec<order_recipient::Model>, DbErr> {
    Recipients::find()
        .filter(order_recipient::Column::OrderId.eq(order_id))
        .order_by_asc(order_recipient::Column::Position)
        .all(db)
        .await
}

/// Any vendor's order by id, for payment events (Stripe knows the order, not the caller).
pub async fn find_any(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<order::Model>, DbErr> {
    Orders::find_by_id(id).one(db).await
}

/// The order paid through `payment_intent_id`.
pub async fn find_by_payment_intent(
    db: &impl ConnectionTrait,
    payment_intent_id: &str,
) -> Result<Option<order::Model>, DbErr> {
    Orders::find()
        .filter(order::Column::PaymentIntentId.eq(payment_intent_id))
        .one(db)
        .await
}

/// Records why a card payment attempt failed (`None` clears it), with an event.
pub async fn set_payment_failure(
    db: &impl ConnectionTrait,
    current: order::Model,
    failure: Option<String>,
    actor: &str,
) -> Result<order::Model, DbErr> {
    if current.payment_failure == failure {
        return Ok(current);
    }
    let status = current.status;
    let mut active: order::ActiveModel = current.into();
    active.payment_failure = Set(failure.clone());
    active.updated_at = Set(now());
    let order = active.update(db).await?;
    let note = failure.map_or_else(
        || "payment retried".to_owned(),
        |f| format!("payment failed: {f}"),
    );
    append_event(
        db,
        order.id,
        None,
        actor,
        Some(status.as_str()),
        status.as_str(),
        Some(note),
    )
    .await?;
    Ok(order)
}

/// The order with its lines and recipients: three queries.
pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<Option<OrderDetail>, DbErr> {
    let Some(order) = Orders::find_by_id(id)
        .filter(order::Column::VendorId.eq(vendor.as_uuid()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let lines = Lines::find()
        .filter(order_line::Column::OrderId.eq(order.id))
        .order_by_asc(order_line::Column::Position)
        .all(db)
        .await?;
    let recipients = recipients_of(db, order.id).await?;
    Ok(Some(OrderDetail {
        order,
        lines,
        recipients,
    }))
}

/// One page of the vendor's orders, newest first, and their total.
pub async fn list(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    filter: &OrderFilter,
    page: u64,
    per_page: u64,
) -> Result<(Vec<order::Model>, u64), DbErr> {
    let mut query = Orders::find().filter(order::Column::VendorId.eq(vendor.as_uuid()));
    if let Some(status) = filter.status {
        query = query.filter(order::Column::Status.eq(status.as_str()));
    }
    if let Some(search) = &filter.search {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(order::Column::CustomerEmail)))
                        .like(pattern.clone()),
                )
                .add(Expr::expr(Func::lower(Expr::col(order::Column::CustomerName))).like(pattern)),
        );
    }
    let paginator = query
        .order_by_desc(order::Column::CreatedAt)
        .paginate(db, per_page);
    let total = paginator.num_items().await?;
    Ok((paginator.fetch_page(page.saturating_sub(1)).await?, total))
}

/// Moves the order to `to` (already checked legal) and logs it. `None` when the order
/// is no longer in the status it was read in (a concurrent change won).
pub async fn set_status(
    db: &impl ConnectionTrait,
    current: order::Model,
    to: OrderStatus,
    actor: &str,
    note: Option<String>,
) -> Result<Option<order::Model>, DbErr> {
    let at = now();
    let mut update = Orders::update_many()
        .col_expr(order::Column::Status, Expr::value(to.as_str()))
        .col_expr(order::Column::UpdatedAt, Expr::value(at));
    if to == OrderStatus::Paid {
        update = update.col_expr(order::Column::PaidAt, Expr::value(Some(at)));
    }
    let changed = update
        .filter(order::Column::Id.eq(current.id))
        .filter(order::Column::Status.eq(current.status.as_str()))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        return Ok(None);
    }
    append_event(
        db,
        current.id,
        None,
        actor,
        Some(current.status.as_str()),
        to.as_str(),
        note,
    )
    .await?;
    Orders::find_by_id(current.id).one(db).await
}

/// One recipient of one order, for the worker (jobs carry both ids; no vendor scope).
pub async fn find_recipient(
    db: &impl ConnectionTrait,
    order_id: uuid::Uuid,
    recipient_id: uuid::Uuid,
) -> Result<Option<order_recipient::Model>, DbErr> {
    Recipients::find_by_id(recipient_id)
        .filter(order_recipient::Column::OrderId.eq(order_id))
        .one(db)
        .await
}

/// Sets a recipient's tracking text.
pub async fn set_tracking(
    db: &impl ConnectionTrait,
    current: order_recipient::Model,
    tracking: String,
) -> Result<order_recipient::Model, DbErr> {
    let mut active: order_recipient::ActiveModel = current.into();
    active.tracking = Set(Some(tracking));
    active.updated_at = Set(now());
    active.update(db).await
}

/// Moves one recipient to `to` (already checked legal) and logs it.
pub async fn set_recipient_status(
    db: &impl ConnectionTrait,
    current: order_recipient::Model,
    to: RecipientStatus,
    actor: &str,
    note: Option<String>,
) -> Result<order_recipient::Model, DbErr> {
    let from = current.status;
    let mut active: order_recipient::ActiveModel = current.into();
    active.status = Set(to);
    active.updated_at = Set(now());
    let recipient = active.update(db).await?;
    append_event(
        db,
        recipient.order_id,
        Some(recipient.id),
        actor,
        Some(from.as_str()),
        to.as_str(),
        note,
    )
    .await?;
    Ok(recipient)
}

/// The order's events, oldest first.
pub async fn events(
    db: &impl ConnectionTrait,
    order_id: uuid::Uuid,
) -> Result<Vec<order_event::Model>, DbErr> {
    Events::find()
        .filter(order_event::Column::OrderId.eq(order_id))
        .order_by_asc(order_event::Column::CreatedAt)
        .order_by_asc(order_event::Column::Id)
        .all(db)
        .await
}
