//! `process_recipient_upload`: reads a bulk recipient CSV into its list, streaming — the
//! file is read twice (once to count rows for progress, once to check them) and rows are
//! stored in batches, so a 10,000-row file never sits in memory. Each row is checked
//! against its template, the storefront's delivery methods and the shipping zones; a bad
//! row (including one that is not UTF-8 or not valid CSV) is recorded with its line
//! number (a spreadsheet's row number: the header is row 1) and reason, and the rest go
//! on. A file without the required columns fails as a whole.

use super::transient;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use trove_app::shipping::zones_for;
use trove_data_access::entities::recipient_list;
use trove_data_access::recipient_lists::{self, NewEntry};
use trove_data_access::shipping_zones::Zone;
use trove_data_access::{storefronts, uploads};
use trove_domain::ids::{StorefrontId, VendorId};
use trove_domain::job::ProcessRecipientUpload;
use trove_domain::recipient_csv::{Header, RecipientRow, Template};
use trove_domain::shipping::{self, Address};
use trove_domain::storefront::DeliveryMethod;
use trove_integrations::storage::{FileStore, ObjectReader, StorageError};

/// Rows stored per batch (and progress steps).
const BATCH: usize = 500;

#[derive(Debug)]
pub struct ProcessRecipientUploadHandler {
    db: DatabaseConnection,
    files: Arc<dyn FileStore>,
}

impl ProcessRecipientUploadHandler {
    pub fn new(db: DatabaseConnection, files: Arc<dyn FileStore>) -> Self {
        Self { db, files }
    }

    async fn open(&self, key: &str) -> Result<ObjectReader, JobError> {
        match self.files.open(key).await {
            Ok(Some(reader)) => Ok(reader),
            Ok(None) => Err(JobError::Permanent("the uploaded file is gone".into())),
            Err(StorageError::Unavailable(reason)) => Err(JobError::Transient(reason)),
            Err(StorageError::Refused(reason)) => Err(JobError::Permanent(reason)),
        }
    }
}

fn reader(file: ObjectReader) -> csv_async::AsyncReader<ObjectReader> {
    csv_async::AsyncReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .create_reader(file)
}

/// What a row needs beyond its own fields.
struct RowRules {
    enabled: Vec<DeliveryMethod>,
    zones: Vec<Zone>,
}

impl RowRules {
    fn check(&self, line: i32, row: RecipientRow) -> Result<NewEntry, String> {
        if !self.enabled.contains(&row.delivery_method) {
            return Err("delivery_method is not enabled on this storefront".into());
        }
        let zone_id = match &row.address {
            Some(address) => {
                let lookup = Address {
                    country: address.country.clone(),
                    state: address.state.clone(),
                    postcode: address.postcode.clone(),
                };
                let zone = shipping::resolve(&self.zones, &lookup, |zone| {
                    (zone.name.as_str(), &zone.rules)
                })
                .map_err(|reason| reason.to_string())?;
                Some(zone.id)
            }
            None => None,
        };
        Ok(NewEntry {
            line,
            name: row.name,
            email: row.email,
            delivery_method: row.delivery_method,
            delivery_note: row.delivery_note,
            send_on: row
                .send_on
                .and_then(|date| chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok()),
            address_json: row
                .address
                .map(|address| serde_json::to_string(&address))
                .transpose()
                .map_err(|error| error.to_string())?,
            zone_id,
        })
    }
}

fn fields(record: &csv_async::ByteRecord) -> Result<Vec<String>, String> {
    record
        .iter()
        .map(|field| {
            String::from_utf8(field.to_vec()).map_err(|_| "the row is not valid UTF-8".to_owned())
        })
        .collect()
}

fn is_blank(record: &csv_async::ByteRecord) -> bool {
    record
        .iter()
        .all(|field| field.iter().all(u8::is_ascii_whitespace))
}

#[async_trait]
impl JobHandler for ProcessRecipientUploadHandler {
    type Payload = ProcessRecipientUpload;

    async fn run(&self, _job: JobContext, job: ProcessRecipientUpload) -> Result<(), JobError> {
        let list = recipient_lists::find_for_job(&self.db, job.list_id)
            .await
            .map_err(transient)?
            .ok_or_else(|| JobError::Permanent("the list no longer exists".into()))?;
        if list.status.is_finished() {
            return Ok(());
        }
        let vendor = VendorId::from(list.vendor_id);
        let upload = uploads::find(&self.db, vendor, list.upload_id)
            .await
            .map_err(transient)?
            .ok_or_else(|| JobError::Permanent("the upload no longer exists".into()))?;
        let storefront = storefronts::find(&self.db, vendor, list.storefront_id)
            .await
            .map_err(transient)?
            .ok_or_else(|| JobError::Permanent("the storefront no longer exists".into()))?;
        let template = list.template;
        let zones = zones_for(&self.db, vendor, StorefrontId::from(storefront.id))
            .await
            .map_err(transient)?;
        let rules = RowRules {
            enabled: serde_json::from_str(&storefront.delivery_methods)
                .map_err(|error| JobError::Permanent(error.to_string()))?,
            zones,
        };

        // Pass 1: count the data rows, for progress.
        let mut rows_total: i32 = 0;
        let mut records = reader(self.open(&upload.storage_key).await?).into_byte_records();
        let mut first = true;
        while let Some(record) = records.next().await {
            if std::mem::take(&mut first) {
                continue;
            }
            if record.as_ref().is_ok_and(is_blank) {
                continue;
            }
            rows_total += 1;
        }
        let list = recipient_lists::start(&self.db, list, rows_total)
            .await
            .map_err(transient)?;
        self.read_rows(list, template, &rules, &upload.storage_key)
            .await
    }
}

impl ProcessRecipientUploadHandler {
    /// Pass 2: checks every row and stores them in batches.
    async fn read_rows(
        &self,
        mut list: recipient_list::Model,
        template: Template,
        rules: &RowRules,
        key: &str,
    ) -> Result<(), JobError> {
        let mut records = reader(self.open(key).await?).into_byte_records();
        let header = match records.next().await {
            Some(Ok(record)) => {
                match fields(&record).and_then(|names| Header::read(template, &names)) {
                    Ok(header) => header,
                    Err(reason) => return self.fail(list, reason).await,
                }
            }
            Some(Err(error)) => {
                return self.fail(list, format!("unreadable header: {error}")).await;
            }
            None => return self.fail(list, "the file is empty".into()).await,
        };
        let mut entries = Vec::with_capacity(BATCH);
        let mut errors = Vec::new();
        let mut done: i32 = 0;
        // Rows are numbered as a spreadsheet shows them: the header is row 1.
        let mut line: i32 = 1;
        while let Some(record) = records.next().await {
            line = line.saturating_add(1);
            let outcome = match record {
                Ok(record) if is_blank(&record) => continue,
                Ok(record) => fields(&record)
                    .and_then(|values| header.row(&values))
                    .and_then(|row| rules.check(line, row)),
                Err(error) => Err(format!("not valid CSV: {error}")),
            };
            done += 1;
            match outcome {
                Ok(entry) => entries.push(entry),
                Err(reason) => errors.push((line, reason)),
            }
            if entries.len() + errors.len() >= BATCH {
                list = recipient_lists::record_batch(
                    &self.db,
                    list,
                    std::mem::take(&mut entries),
                    std::mem::take(&mut errors),
                    done,
                )
                .await
                .map_err(transient)?;
            }
        }
        let list = recipient_lists::record_batch(&self.db, list, entries, errors, done)
            .await
            .map_err(transient)?;
        recipient_lists::finish(&self.db, list, None)
            .await
            .map_err(transient)?;
        Ok(())
    }

    async fn fail(&self, list: recipient_list::Model, reason: String) -> Result<(), JobError> {
        recipient_lists::finish(&self.db, list, Some(reason))
            .await
            .map_err(transient)?;
        Ok(())
    }
}
