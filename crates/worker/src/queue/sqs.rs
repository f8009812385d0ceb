//! Amazon SQS as the queue, fed from the jobs table by the outbox relay.
//!
//! The relay leases pending rows due within the next 14 minutes, 100 at a time, publishes
//! them in batches of up to 10 sent side by side (the wait until `run_at` becomes the
//! message delay, so SQS's 15-minute delay limit never caps a job scheduled days ahead: it
//! stays in the table until then), and marks them sent. If SQS is down, the rows go back to pending and are
//! published when it returns; requests never talk to SQS.
//!
//! The consumer long-polls, uses the visibility timeout as the lease (extended by the
//! heartbeat) and as the retry delay, and counts attempts with `ApproximateReceiveCount`.
//! A job that dies is recorded dead on its row and its message deleted, so dead jobs are
//! redriven through the same admin endpoints as on the SQL backend; the queue's own
//! redrive policy (maxReceiveCount → dead-letter queue) stays the safety net for messages
//! whose worker keeps dying.
//!
//! Every kind shares the one queue, so it cannot hand out only the kinds whose lane has
//! room: the worker receives whatever comes and applies its lane limits in the loop.

use super::{Delivery, JobQueue, QueueError};
use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageSystemAttributeName, SendMessageBatchRequestEntry};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use trove_bootstrap::settings::{AwsSettings, QueueSettings};
use trove_data_access::jobs::{self, ClaimedJob};
use trove_domain::ids::JobId;

/// How far ahead of `run_at` the relay publishes (SQS delays are capped at 15 minutes).
const PUBLISH_HORIZON: Duration = Duration::from_secs(14 * 60);
/// How long a relay may take to publish a leased row before another relay may.
const PUBLISH_LEASE: Duration = Duration::from_secs(60);
/// Messages per `SendMessageBatch` (SQS's limit).
const BATCH: usize = 10;
/// Rows one relay round leases and publishes, as `ROUND / BATCH` batches sent at once.
const ROUND: usize = 100;
const MAX_RELAY_BACKOFF: Duration = Duration::from_secs(30);

/// The message body: enough to run the job without reading its row.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    job_id: uuid::Uuid,
    kind: String,
    payload: String,
    max_attempts: u32,
}

fn sqs_error(error: impl std::fmt::Display) -> QueueError {
    QueueError::Sqs(error.to_string())
}

#[derive(Debug, Clone)]
pub struct SqsQueue {
    db: DatabaseConnection,
    client: Client,
    queue_url: String,
    receive_wait: i32,
}

impl SqsQueue {
    pub async fn from_settings(
        db: DatabaseConnection,
        settings: &QueueSettings,
        aws: &AwsSettings,
    ) -> Result<Self, QueueError> {
        let queue_url = settings
            .sqs_queue_url
            .clone()
            .ok_or_else(|| QueueError::Sqs("queue.sqs_queue_url is not set".into()))?;
        let config = trove_integrations::aws::sdk_config(aws).await;
        Ok(Self {
            db,
            client: Client::new(&config),
            queue_url,
            receive_wait: i32::try_from(settings.receive_wait_seconds).unwrap_or(20),
        })
    }

    /// The relay that publishes this installation's outbox into this queue.
    pub fn relay(&self, interval: Duration) -> Relay {
        Relay {
            queue: self.clone(),
            interval,
        }
    }

    async fn set_visibility(
        &self,
        receipt: Option<&str>,
        seconds: Duration,
    ) -> Result<(), QueueError> {
        let Some(receipt) = receipt else {
            return Ok(());
        };
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            // Whole seconds, rounded up: a 0.7 s retry delay must not become "visible now".
            .visibility_timeout(
                i32::try_from(seconds.as_millis().div_ceil(1000).min(43_199)).unwrap_or(43_199),
            )
            .send()
            .await
            .map_err(sqs_error)?;
        Ok(())
    }

    async fn delete(&self, receipt: Option<&str>) -> Result<(), QueueError> {
        let Some(receipt) = receipt else {
            return Ok(());
        };
        self.client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(sqs_error)?;
        Ok(())
    }

    /// Publishes one round of due rows (up to `ROUND` of them, in SQS batches of `BATCH`
    /// sent side by side); how many were published.
    async fn publish_round(&self) -> Result<usize, QueueError> {
        let rows =
            jobs::claim_for_publishing(&self.db, PUBLISH_HORIZON, PUBLISH_LEASE, ROUND as u64)
                .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let sends = rows.chunks(BATCH).map(|batch| self.send_batch(batch));
        let mut published = Vec::with_capacity(rows.len());
        let mut failed: Vec<(JobId, String)> = Vec::new();
        for outcome in futures_util::future::join_all(sends).await {
            let (sent, refused) = outcome?;
            published.extend(sent);
            failed.extend(refused);
        }
        jobs::mark_published(&self.db, &published).await?;
        let mut by_reason: std::collections::BTreeMap<&str, Vec<JobId>> = Default::default();
        for (id, reason) in &failed {
            by_reason.entry(reason).or_default().push(*id);
        }
        for (reason, ids) in by_reason {
            jobs::unpublish(&self.db, &ids, reason).await?;
        }
        if let (true, Some((_, reason))) = (published.is_empty(), failed.first()) {
            return Err(QueueError::Sqs(reason.clone()));
        }
        Ok(published.len())
    }

    /// Sends up to `BATCH` leased rows in one `SendMessageBatch`: the ids SQS took, and
    /// those it did not with the reason.
    async fn send_batch(
        &self,
        rows: &[jobs::Publishable],
    ) -> Result<(Vec<JobId>, Vec<(JobId, String)>), QueueError> {
        let now = jobs::now();
        let mut entries = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let body = serde_json::to_string(&Envelope {
                job_id: row.id.as_uuid(),
                kind: row.kind.clone(),
                payload: row.payload.clone(),
                max_attempts: row.max_attempts,
            })
            .map_err(sqs_error)?;
            let delay = (row.run_at - now).num_seconds().clamp(0, 900) as i32;
            entries.push(
                SendMessageBatchRequestEntry::builder()
                    .id(index.to_string())
                    .message_body(body)
                    .delay_seconds(delay)
                    .build()
                    .map_err(sqs_error)?,
            );
        }
        let ids: Vec<JobId> = rows.iter().map(|row| row.id).collect();
        let sent = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await;
        let output = match sent {
            Ok(output) => output,
            Err(error) => {
                let reason = format!("SQS publish failed: {error}");
                return Ok((
                    Vec::new(),
                    ids.into_iter().map(|id| (id, reason.clone())).collect(),
                ));
            }
        };
        let by_entry = |id: &str| id.parse::<usize>().ok().and_then(|index| ids.get(index));
        let published = output
            .successful()
            .iter()
            .filter_map(|entry| by_entry(entry.id()).copied())
            .collect();
        let refused = output
            .failed()
            .iter()
            .filter_map(|failure| {
                by_entry(failure.id()).map(|id| {
                    let reason = format!(
                        "SQS refused the message: {}",
                        failure.message().unwrap_or(failure.code())
                    );
                    (*id, reason)
                })
            })
            .collect();
        Ok((published, refused))
    }
}

#[async_trait]
impl JobQueue for SqsQueue {
    fn selects_kinds(&self) -> bool {
        false
    }

    async fn claim(
        &self,
        kinds: &[&'static str],
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        let output = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(i32::try_from(max.clamp(1, BATCH)).unwrap_or(1))
            .wait_time_seconds(self.receive_wait)
            .visibility_timeout(i32::try_from(lease.as_secs()).unwrap_or(60))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(sqs_error)?;
        let mut deliveries = Vec::new();
        for message in output.messages() {
            let receipt = message.receipt_handle().map(str::to_owned);
            let attempt = message
                .attributes()
                .and_then(|attributes| {
                    attributes.get(&MessageSystemAttributeName::ApproximateReceiveCount)
                })
                .and_then(|count| count.parse().ok())
                .unwrap_or(1);
            let Some(envelope) = message
                .body()
                .and_then(|body| serde_json::from_str::<Envelope>(body).ok())
            else {
                tracing::error!("an SQS message is not a Trove job; deleting it");
                self.delete(receipt.as_deref()).await?;
                continue;
            };
            if !kinds.contains(&envelope.kind.as_str()) {
                tracing::warn!(kind = %envelope.kind, "no handler here for this job kind; leaving it for another worker");
                self.set_visibility(receipt.as_deref(), Duration::ZERO)
                    .await?;
                continue;
            }
            deliveries.push(Delivery {
                job: ClaimedJob {
                    id: JobId::from(envelope.job_id),
                    kind: envelope.kind,
                    payload: envelope.payload,
                    attempt,
                    max_attempts: envelope.max_attempts,
                    already_processed: false,
                },
                receipt,
            });
        }
        let ids: Vec<uuid::Uuid> = deliveries.iter().map(|d| d.job.id.as_uuid()).collect();
        let processed = jobs::processed_among(&self.db, &ids).await?;
        for delivery in &mut deliveries {
            delivery.job.already_processed = processed.contains(&delivery.job.id.as_uuid());
        }
        Ok(deliveries)
    }

    async fn complete(&self, delivery: &Delivery) -> Result<(), QueueError> {
        jobs::complete(&self.db, delivery.job.id, &delivery.job.kind).await?;
        self.delete(delivery.receipt.as_deref()).await
    }

    async fn retry_later(
        &self,
        delivery: &Delivery,
        delay: Duration,
        error: &str,
    ) -> Result<(), QueueError> {
        jobs::note_failure(&self.db, delivery.job.id, delivery.job.attempt, error).await?;
        self.set_visibility(delivery.receipt.as_deref(), delay)
            .await
    }

    async fn bury(&self, delivery: &Delivery, error: &str) -> Result<(), QueueError> {
        jobs::bury_attempted(&self.db, delivery.job.id, delivery.job.attempt, error).await?;
        self.delete(delivery.receipt.as_deref()).await
    }

    async fn extend(&self, delivery: &Delivery, lease: Duration) -> Result<(), QueueError> {
        self.set_visibility(delivery.receipt.as_deref(), lease)
            .await
    }

    async fn release(&self, delivery: &Delivery) -> Result<(), QueueError> {
        self.set_visibility(delivery.receipt.as_deref(), Duration::ZERO)
            .await
    }
}

/// Publishes the outbox (pending rows of the jobs table) to SQS.
#[derive(Debug)]
pub struct Relay {
    queue: SqsQueue,
    interval: Duration,
}

impl Relay {
    /// Publishes until `shutdown`; backs off while SQS or the database is unreachable.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) {
        let mut backoff = self.interval;
        while !shutdown.is_cancelled() {
            let pause = match self.queue.publish_round().await {
                Ok(published) if published > 0 => {
                    backoff = self.interval;
                    continue;
                }
                Ok(_) => {
                    backoff = self.interval;
                    self.interval
                }
                Err(error) => {
                    tracing::warn!(%error, retry_in_ms = backoff.as_millis() as u64, "outbox relay cannot publish");
                    let pause = backoff;
                    backoff = (backoff * 2).min(MAX_RELAY_BACKOFF);
                    pause
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Publishes one round of due rows; how many were published.
    pub async fn publish_round(&self) -> Result<usize, QueueError> {
        self.queue.publish_round().await
    }

    /// Publishes everything due now, for tests and one-shot use; how many were published.
    pub async fn publish_due(&self) -> Result<usize, QueueError> {
        let mut total = 0;
        loop {
            let published = self.publish_round().await?;
            total += published;
            if published == 0 {
                return Ok(total);
            }
        }
    }
}
