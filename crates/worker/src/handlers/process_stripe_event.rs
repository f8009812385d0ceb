//! `process_stripe_event`: applies one stored Stripe webhook event, in one transaction
//! with marking it processed, so a retried job or a redelivered event does nothing twice.
//!
//! - `account.updated`: the connected account's capabilities and requirements replace
//!   what we had (routed by the account id); the vendor's onboarding status follows.
//! - `account.application.deauthorized`: the vendor's connection is forgotten.
//! - `payment_intent.succeeded`: the order becomes `paid` (once, whoever comes first).
//! - `payment_intent.payment_failed`: the failure is recorded on the order.
//! - `charge.refunded`: refunds listed on the charge are recorded and the order's refund
//!   totals reconciled with the charge's `amount_refunded`.
//! - Anything else is kept and marked ignored.

use super::transient;
use crate::handler::{JobContext, JobError, JobHandler};
use async_trait::async_trait;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use serde_json::Value;
use trove_bootstrap::settings::OrderSettings;
use trove_data_access::fulfilment::{self, IntentReport};
use trove_data_access::refunds::{self, StripeRefund};
use trove_data_access::{orders, payment_accounts, stripe_events};
use trove_domain::ids::VendorId;
use trove_domain::job::ProcessStripeEvent;
use trove_integrations::stripe::{account_state, webhook};

const ACTOR: &str = "stripe";

#[derive(Debug)]
pub struct ProcessStripeEventHandler {
    db: DatabaseConnection,
    orders: OrderSettings,
}

impl ProcessStripeEventHandler {
    pub fn new(db: DatabaseConnection, orders: OrderSettings) -> Self {
        Self { db, orders }
    }

    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        event: &webhook::Event,
    ) -> Result<String, DbErr> {
        let object = &event.object;
        match event.event_type.as_str() {
            "account.updated" => {
                let account = text(object, "id")
                    .or(event.account.as_deref())
                    .unwrap_or_default();
                match payment_accounts::find_by_stripe_account(txn, account).await? {
                    Some(current) => {
                        let state = account_state(object);
                        payment_accounts::update_state(txn, current, &state).await?;
                        Ok(format!(
                            "account {account}: {}",
                            state.onboarding_status().as_str()
                        ))
                    }
                    None => Ok(format!("ignored: no vendor has account {account}")),
                }
            }
            "account.application.deauthorized" => {
                let account = event.account.as_deref().unwrap_or_default();
                match payment_accounts::find_by_stripe_account(txn, account).await? {
                    Some(current) => {
                        payment_accounts::reset(txn, VendorId::from(current.vendor_id)).await?;
                        Ok(format!("account {account} disconnected"))
                    }
                    None => Ok(format!("ignored: no vendor has account {account}")),
                }
            }
            "payment_intent.succeeded" | "payment_intent.payment_failed" => {
                let id = text(object, "id").unwrap_or_default();
                let Some(order) = orders::find_by_payment_intent(txn, id).await? else {
                    return Ok(format!("ignored: no order has payment intent {id}"));
                };
                let currency = text(object, "currency")
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                let last_error = object
                    .pointer("/last_payment_error/message")
                    .and_then(Value::as_str)
                    .or_else(|| {
                        (event.event_type == "payment_intent.payment_failed")
                            .then_some("the payment failed")
                    });
                let report = IntentReport {
                    id,
                    status: text(object, "status").unwrap_or_default(),
                    amount_minor: object.get("amount").and_then(Value::as_i64).unwrap_or(-1),
                    currency: &currency,
                    last_error,
                };
                let (order, outcome) =
                    fulfilment::apply_payment_intent(txn, &self.orders, order, &report, ACTOR)
                        .await?;
                Ok(format!("order {}: {outcome:?}", order.id))
            }
            "charge.refunded" => {
                let intent = text(object, "payment_intent").unwrap_or_default();
                let Some(order) = orders::find_by_payment_intent(txn, intent).await? else {
                    return Ok(format!("ignored: no order has payment intent {intent}"));
                };
                let listed = object
                    .pointer("/refunds/data")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for refund in &listed {
                    let (Some(id), Some(amount)) = (
                        text(refund, "id"),
                        refund.get("amount").and_then(Value::as_i64),
                    ) else {
                        continue;
                    };
                    let refund = StripeRefund {
                        id: id.to_owned(),
                        amount_minor: amount,
                        status: text(refund, "status").unwrap_or("succeeded").to_owned(),
                        reason: text(refund, "reason").map(str::to_owned),
                    };
                    refunds::record(txn, &order, refund, ACTOR).await?;
                }
                let charged = object.get("amount_refunded").and_then(Value::as_i64);
                let order = refunds::reconcile(txn, order, charged, ACTOR).await?;
                Ok(format!(
                    "order {}: refunded {} (fee {})",
                    order.id, order.refunded_minor, order.fee_refunded_minor
                ))
            }
            other => Ok(format!("ignored: {other}")),
        }
    }
}

fn text<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str)
}

#[async_trait]
impl JobHandler for ProcessStripeEventHandler {
    type Payload = ProcessStripeEvent;

    async fn run(&self, _job: JobContext, job: ProcessStripeEvent) -> Result<(), JobError> {
        let txn = trove_data_access::begin_write(&self.db)
            .await
            .map_err(transient)?;
        let stored = stripe_events::find(&txn, &job.event_id)
            .await
            .map_err(transient)?
            .ok_or_else(|| JobError::Permanent("the event is not stored".into()))?;
        if stored.processed_at.is_some() {
            tracing::info!(event_id = %stored.id, "already processed; nothing to do");
            return Ok(());
        }
        let event = webhook::parse_event(stored.payload.as_bytes())
            .map_err(|error| JobError::Permanent(error.to_string()))?;
        let outcome = self.apply(&txn, &event).await.map_err(transient)?;
        tracing::info!(event_id = %event.id, event_type = %event.event_type, %outcome, "stripe event applied");
        stripe_events::processed(&txn, stored, &outcome)
            .await
            .map_err(transient)?;
        txn.commit().await.map_err(transient)
    }
}
