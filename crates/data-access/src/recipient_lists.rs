//! Bulk recipient lists: created `queued` by the API, read by the worker in batches
//! (`processing`, progress as rows done of rows total), ending `done` with good and failed
//! rows, or `failed` with the reason when the file cannot be read at all. Reading starts
//! over on a retry, so a half-read list never keeps duplicate rows.

use crate::entities::recipient_list::{self, Entity as Lists};
use crate::entities::recipient_list_entry::{self, Entity as Entries};
use crate::entities::recipient_list_error::{self, Entity as Errors};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use trove_domain::ids::VendorId;
use trove_domain::recipient_csv::{RecipientListStatus, Template};
use trove_domain::storefront::DeliveryMethod;

/// The status of a list read to the end, whose good rows checkout may use.
pub const DONE: RecipientListStatus = RecipientListStatus::Done;

/// A good row, ready to store.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub line: i32,
    pub name: String,
    pub email: String,
    pub delivery_method: DeliveryMethod,
    pub delivery_note: Option<String>,
    pub send_on: Option<chrono::NaiveDate>,
    pub address_json: Option<String>,
    pub zone_id: Option<uuid::Uuid>,
}

pub async fn create(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    storefront_id: uuid::Uuid,
    upload_id: uuid::Uuid,
    template: Template,
) -> Result<recipient_list::Model, DbErr> {
    let at = now();
    recipient_list::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        vendor_id: Set(vendor.as_uuid()),
        storefront_id: Set(storefront_id),
        upload_id: Set(upload_id),
        template: Set(template),
        status: Set(RecipientListStatus::Queued),
        rows_total: Set(0),
        rows_done: Set(0),
        good_rows: Set(0),
        failed_rows: Set(0),
        failure: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<Option<recipient_list::Model>, DbErr> {
    Lists::find_by_id(id)
        .filter(recipient_list::Column::VendorId.eq(vendor.as_uuid()))
        .one(db)
        .await
}

/// The list a job names (jobs carry the id only).
pub async fn find_for_job(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<recipient_list::Model>, DbErr> {
    Lists::find_by_id(id).one(db).await
}

/// Forgets any rows of an earlier attempt and marks the list `processing` with its total.
pub async fn start(
    db: &impl ConnectionTrait,
    current: recipient_list::Model,
    rows_total: i32,
) -> Result<recipient_list::Model, DbErr> {
    Entries::delete_many()
        .filter(recipient_list_entry::Column::ListId.eq(current.id))
        .exec(db)
        .await?;
    Errors::delete_many()
        .filter(recipient_list_error::Column::ListId.eq(current.id))
        .exec(db)
        .await?;
    let mut active: recipient_list::ActiveModel = current.into();
    active.status = Set(RecipientListStatus::Processing);
    active.rows_total = Set(rows_total);
    active.rows_done = Set(0);
    active.good_rows = Set(0);
    active.failed_rows = Set(0);
    active.failure = Set(None);
    active.updated_at = Set(now());
    active.update(db).await
}

/// Stores one batch of good and failed rows and the progress so far.
pub async fn record_batch(
    db: &impl ConnectionTrait,
    current: recipient_list::Model,
    entries: Vec<NewEntry>,
    errors: Vec<(i32, String)>,
    rows_done: i32,
) -> Result<recipient_list::Model, DbErr> {
    let list_id = current.id;
    let good = current.good_rows + i32::try_from(entries.len()).unwrap_or(i32::MAX);
    let failed = current.failed_rows + i32::try_from(errors.len()).unwrap_or(i32::MAX);
    if !entries.is_empty() {
        Entries::insert_many(
            entries
                .into_iter()
                .map(|entry| recipient_list_entry::ActiveModel {
                    id: Set(uuid::Uuid::now_v7()),
                    list_id: Set(list_id),
                    line: Set(entry.line),
                    name: Set(entry.name),
                    email: Set(entry.email),
                    delivery_method: Set(entry.delivery_method),
                    delivery_note: Set(entry.delivery_note),
                    send_on: Set(entry.send_on),
                    address: Set(entry.address_json),
                    zone_id: Set(entry.zone_id),
                }),
        )
        .exec(db)
        .await?;
    }
    if !errors.is_empty() {
        Errors::insert_many(errors.into_iter().map(|(line, reason)| {
            recipient_list_error::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                list_id: Set(list_id),
                line: Set(line),
                reason: Set(reason.chars().take(500).collect()),
            }
        }))
        .exec(db)
        .await?;
    }
    let mut active: recipient_list::ActiveModel = current.into();
    active.rows_done = Set(rows_done);
    active.good_rows = Set(good);
    active.failed_rows = Set(failed);
    active.updated_at = Set(now());
    active.update(db).await
}

/// Ends the list: `done`, or `failed` with the reason.
pub async fn finish(
    db: &impl ConnectionTrait,
    current: recipient_list::Model,
    failure: Option<String>,
) -> Result<recipient_list::Model, DbErr> {
    let mut active: recipient_list::ActiveModel = current.into();
    active.status = Set(if failure.is_some() {
        RecipientListStatus::Failed
    } else {
        RecipientListStatus::Done
    });
    active.failure = Set(failure.map(|reason| reason.chars().take(500).collect()));
    active.updated_at = Set(now());
    active.update(db).await
}

/// The first `limit` failed rows, by line.
pub async fn errors(
    db: &impl ConnectionTrait,
    list_id: uuid::Uuid,
    limit: u64,
) -> Result<Vec<recipient_list_error::Model>, DbErr> {
    Errors::find()
        .filter(recipient_list_error::Column::ListId.eq(list_id))
        .order_by_asc(recipient_list_error::Column::Line)
        .limit(limit)
        .all(db)
        .await
}

/// Every good row of a finished list, by line.
pub async fn entries(
    db: &impl ConnectionTrait,
    list_id: uuid::Uuid,
) -> Result<Vec<recipient_list_entry::Model>, DbErr> {
    Entries::find()
        .filter(recipient_list_entry::Column::ListId.eq(list_id))
        .order_by_asc(recipient_list_entry::Column::Line)
        .all(db)
        .await
}
