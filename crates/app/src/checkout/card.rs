//! A card order's PaymentIntent, created before the order is stored: the whole total, a
//! destination charge to the vendor's connected account, the platform fee as application
//! fee. Keyed by the order id (`trove:order:{id}:payment-intent`), so a retried call
//! returns the same intent. No transaction is open while Stripe answers; if the order
//! then cannot be stored, the intent is never confirmed (its secret never reached the
//! shopper) and Stripe lets it expire.

use super::pricing::Priced;
use crate::{App, AppError};
use std::collections::BTreeMap;
use trove_data_access::entities::storefront;
use trove_data_access::payment_accounts;
use trove_domain::ids::OrderId;
use trove_domain::order::payment_reference;
use trove_integrations::stripe::NewPaymentIntent;

/// The created intent, as the order and the shopper need it.
#[derive(Debug, Clone)]
pub(super) struct CardIntent {
    pub id: String,
    pub client_secret: String,
    pub amount_minor: i64,
    pub application_fee_minor: i64,
}

pub(super) async fn create_intent(
    app: &App,
    storefront: &storefront::Model,
    order_id: OrderId,
    priced: &Priced,
) -> Result<CardIntent, AppError> {
    let stripe = app.stripe()?;
    let order = &priced.order;
    let destination = payment_accounts::find(&app.db, order.vendor)
        .await?
        .and_then(|account| account.stripe_account_id)
        .ok_or_else(|| {
            AppError::conflict("conflict", "The vendor's Stripe account was disconnected.")
        })?;
    let reference = payment_reference(order_id.as_uuid());
    let amount_minor = order.breakdown.total_minor;
    let application_fee_minor = order.breakdown.platform_fee_minor;
    let currency = order.breakdown.currency.to_string();
    let intent = stripe
        .create_payment_intent(NewPaymentIntent {
            idempotency_key: format!("trove:order:{order_id}:payment-intent"),
            amount_minor,
            currency: &currency,
            destination: &destination,
            application_fee_minor,
            description: format!("{} order {reference}", storefront.name),
            receipt_email: &order.customer_email,
            metadata: BTreeMap::from([
                ("order_id".to_owned(), order_id.to_string()),
                ("storefront_id".to_owned(), storefront.id.to_string()),
                ("payment_reference".to_owned(), reference),
            ]),
        })
        .await?;
    let client_secret = intent
        .client_secret
        .ok_or_else(|| AppError::internal("Stripe returned no client secret"))?;
    Ok(CardIntent {
        id: intent.id,
        client_secret,
        amount_minor,
        application_fee_minor,
    })
}
