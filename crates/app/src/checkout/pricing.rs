//! Checking and pricing a checkout body: every problem is collected and reported at once
//! (422 with per-field details); a clean body becomes the quote and the order to store.

use super::items::{PricedItems, price_items};
use super::recipients::{PricedRecipients, price_recipients};
use super::{
    CheckoutBody, MAX_ITEMS, MAX_ORDER_RECIPIENTS, MAX_RECIPIENTS, Quote, QuoteLine,
    QuoteRecipient, RecipientBody, field,
};
use crate::catalogue::is_name;
use crate::shipping::{AddressInput, zones_for};
use crate::{App, AppError};
use sea_orm::ConnectionTrait;
use trove_data_access::entities::storefront;
use trove_data_access::orders::{NewLine, NewOrder};
use trove_data_access::{payment_accounts, recipient_lists, storefronts};
use trove_domain::email::Email;
use trove_domain::ids::{StorefrontId, VendorId};
use trove_domain::money::{Currency, Money};
use trove_domain::order::{self, Breakdown};
use trove_domain::storefront::DeliveryMethod;
use uuid::Uuid;

/// A checked, priced order, ready to store.
pub(super) struct Priced {
    pub quote: Quote,
    pub order: NewOrder,
}

/// Why the storefront cannot take `method` now, if it cannot: card payments need Stripe
/// configured and the vendor's connected account able to accept payments.
async fn payment_problem(
    app: &App,
    db: &impl ConnectionTrait,
    vendor: VendorId,
    method: &str,
) -> Result<Option<&'static str>, AppError> {
    Ok(match method {
        "bank_transfer" => None,
        "card" if app.stripe.is_none() => Some("card payments are not configured"),
        "card" => {
            let account = payment_accounts::find(db, vendor).await?;
            let enabled = account.as_ref().is_some_and(|account| {
                account.stripe_account_id.is_some()
                    && payment_accounts::state_of(account).can_accept_payments()
            });
            (!enabled).then_some("this storefront does not take card payments yet")
        }
        _ => Some("must be bank_transfer or card"),
    })
}

/// Checks and prices `body` on `storefront`, reading through `db` (the order's own
/// transaction when placing it); every problem is reported at once (422).
pub(super) async fn price_order(
    app: &App,
    db: &impl ConnectionTrait,
    storefront: &storefront::Model,
    body: &CheckoutBody,
) -> Result<Priced, AppError> {
    let vendor = VendorId::from(storefront.vendor_id);
    let mut errors = Vec::new();
    let customer_email = Email::parse(&body.customer.email);
    if customer_email.is_err() {
        field(
            &mut errors,
            "customer.email".into(),
            "must be an email address",
        );
    }
    if !is_name(&body.customer.name) {
        field(
            &mut errors,
            "customer.name".into(),
            "must be 1 to 200 characters",
        );
    }
    if let Some(problem) = payment_problem(app, db, vendor, &body.payment_method).await? {
        field(&mut errors, "payment_method".into(), problem);
    }
    let budget = match &body.budget {
        None => None,
        Some(price) => match Currency::parse(&price.currency) {
            Ok(currency)
                if (1..=Money::MAX_MINOR).contains(&price.minor) && body.items.is_empty() =>
            {
                Some(Money {
                    minor: price.minor,
                    currency,
                })
            }
            Ok(_) if !body.items.is_empty() => {
                field(
                    &mut errors,
                    "budget".into(),
                    "give items or a budget, not both",
                );
                None
            }
            Ok(_) => {
                field(
                    &mut errors,
                    "budget.minor".into(),
                    "must be 1 to 10000000000",
                );
                None
            }
            Err(_) => {
                field(
                    &mut errors,
                    "budget.currency".into(),
                    "must be an ISO 4217 code such as AUD",
                );
                None
            }
        },
    };
    if body.budget.is_none() && (body.items.is_empty() || body.items.len() > MAX_ITEMS) {
        field(
            &mut errors,
            "items".into(),
            "must list 1 to 50 items, or give a budget",
        );
    }
    if body.recipients.len() > MAX_RECIPIENTS {
        field(
            &mut errors,
            "recipients".into(),
            "must list at most 1000 recipients (upload a CSV for more)",
        );
    }
    let mut all_recipients = body.recipients.clone();
    if let Some(list_id) = body.recipient_list_id {
        match listed_recipients(db, storefront, list_id).await? {
            Some(listed) => all_recipients.extend(listed),
            None => field(
                &mut errors,
                "recipient_list_id".into(),
                "is not a finished recipient list of this storefront",
            ),
        }
    }
    if all_recipients.is_empty() || all_recipients.len() > MAX_ORDER_RECIPIENTS {
        field(
            &mut errors,
            "recipients".into(),
            "an order needs 1 to 20000 recipients",
        );
    }

    let ordered: Vec<Uuid> = body.items.iter().map(|item| item.variant_id).collect();
    let wanted = (budget.is_none()).then_some(ordered.as_slice());
    let offered = storefronts::offered_variants(db, storefront.id, wanted).await?;
    let recipients_count = i64::try_from(all_recipients.len()).unwrap_or(i64::MAX);
    let PricedItems {
        lines,
        gift,
        currency,
    } = price_items(body, &offered, budget, recipients_count, &mut errors)?;
    let enabled: Vec<DeliveryMethod> =
        serde_json::from_str(&storefront.delivery_methods).map_err(AppError::internal)?;
    let zones = zones_for(db, vendor, StorefrontId::from(storefront.id)).await?;
    let PricedRecipients {
        recipients,
        shipping,
        quoted: quoted_recipients,
    } = price_recipients(
        &all_recipients,
        &enabled,
        &zones,
        budget,
        currency,
        &mut errors,
    )?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let currency = currency.ok_or_else(|| AppError::internal("priced an order without items"))?;
    let mode = storefront.fee_transfer_mode;
    let fee = app.orders.platform_fee_basis_points;
    let breakdown = order::price(currency, &gift, &shipping, fee, mode).map_err(|error| {
        AppError::Rejected {
            code: "unpriceable",
            message: error.to_string(),
        }
    })?;
    Ok(Priced {
        quote: quote_of(&breakdown, &lines, quoted_recipients),
        order: NewOrder {
            vendor,
            storefront_id: storefront.id,
            customer_email: customer_email.map(|e| e.to_string()).unwrap_or_default(),
            customer_name: body.customer.name.trim().to_owned(),
            payment_method: body.payment_method.clone(),
            fee_basis_points: fee,
            breakdown,
            budget_minor: budget.map(|budget| budget.minor),
            lines,
            recipients,
            payment_intent_id: None,
        },
    })
}

/// The good rows of a finished list of this storefront, as checkout recipients; `None`
/// when the list is not one (another storefront's, unfinished, or unknown).
async fn listed_recipients(
    db: &impl ConnectionTrait,
    storefront: &storefront::Model,
    list_id: Uuid,
) -> Result<Option<Vec<RecipientBody>>, AppError> {
    let vendor = VendorId::from(storefront.vendor_id);
    let Some(list) = recipient_lists::find(db, vendor, list_id).await? else {
        return Ok(None);
    };
    if list.storefront_id != storefront.id || list.status != recipient_lists::DONE {
        return Ok(None);
    }
    let rows = recipient_lists::entries(db, list.id).await?;
    let mut listed = Vec::with_capacity(rows.len());
    for row in rows {
        let address: Option<AddressInput> = row
            .address
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(AppError::internal)?;
        let delivery_method = row.delivery_method;
        listed.push(RecipientBody {
            name: row.name,
            email: row.email,
            address,
            delivery_method,
            delivery_note: row.delivery_note,
            send_on: row.send_on,
        });
    }
    Ok(Some(listed))
}

fn quote_of(breakdown: &Breakdown, lines: &[NewLine], recipients: Vec<QuoteRecipient>) -> Quote {
    Quote {
        currency: breakdown.currency.to_string(),
        lines: lines
            .iter()
            .map(|line| QuoteLine {
                variant_id: line.variant_id,
                sku: line.sku.clone(),
                title: line.title.clone(),
                unit_price_minor: line.unit_price_minor,
                quantity: line.quantity,
            })
            .collect(),
        recipients,
        items_per_recipient_minor: breakdown.items_per_recipient_minor,
        items_minor: breakdown.items_minor,
        shipping_minor: breakdown.shipping_minor,
        platform_fee_minor: breakdown.platform_fee_minor,
        fee_charged_minor: breakdown.fee_charged_to_shopper_minor,
        total_minor: breakdown.total_minor,
    }
}
