//! Importing a bulk recipient CSV: the list is recorded against its storefront and the
//! upload, and the worker's `process_recipient_upload` job (queued with it) reads the
//! file. The upload must be a confirmed `recipient_csv` of the same vendor (the caller
//! checks that, as it does for every attachment).

use crate::{App, AppError, UnitOfWork};
use trove_data_access::entities::recipient_list;
use trove_data_access::{jobs, recipient_lists};
use trove_domain::ids::{JobId, StorefrontId, UploadId, VendorId};
use trove_domain::job::{JobPayload, ProcessRecipientUpload};
use trove_domain::recipient_csv::Template;

/// Records the list and queues its reading.
pub async fn import(
    app: &App,
    vendor: VendorId,
    storefront: StorefrontId,
    upload: UploadId,
    template: Template,
) -> Result<recipient_list::Model, AppError> {
    let uow = UnitOfWork::begin(app).await?;
    let list = recipient_lists::create(
        &*uow,
        vendor,
        storefront.as_uuid(),
        upload.as_uuid(),
        template,
    )
    .await?;
    let job = JobPayload::ProcessRecipientUpload(ProcessRecipientUpload {
        v: 1,
        list_id: list.id,
    });
    jobs::enqueue(&*uow, JobId::new(), &job, jobs::now()).await?;
    uow.commit(app).await?;
    Ok(list)
}
