//! Checking and pricing a checkout body: every problem is collected and reported at once
//! (422 with per-field details); a clean body becomes the quote and the order to store.

use super::{
    CheckoutBody, MAX_ITEMS, MAX_ORDER_RECIPIENTS, MAX_RECIPIENTS, Quote, QuoteLine,
    QuoteRecipient, RecipientBody,
};
use crate::catalogue::{CustomisationOption, is_name};
use crate::shipping::AddressInput;
use crate::shipping::{resolve_address, zones_for};
use crate::{App, AppError, FieldError};
use chrono::Utc;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use trove_data_access::entities::storefront;
use trove_data_access::orders::{NewLine, NewOrder, NewRecipient};
use trove_data_access::shipping_zones::Zone;
use trove_data_access::{payment_accounts, recipient_lists, storefronts};
use trove_domain::email::Email;
use trove_domain::ids::{StorefrontId, VendorId};
use trove_domain::money::{Currency, Money};
use trove_domain::order::{self, Breakdown};
use trove_domain::storefront::{DeliveryMethod, FeeTransferMode};
use uuid::Uuid;

/// A checked, priced order, ready to store.
pub(super) struct Priced {
    pub quote: Quote,
    pub order: NewOrder,
}

fn field(errors: &mut Vec<FieldError>, field: String, message: impl Into<String>) {
    errors.push(FieldError {
        field,
        message: message.into(),
    });
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
            Ok(currency) if price.minor >= 1 && body.items.is_empty() => Some(Money {
                minor: price.minor,
                currency,
            }),
            Ok(_) if !body.items.is_empty() => {
                field(
                    &mut errors,
                    "budget".into(),
                    "give items or a budget, not both",
                );
                None
            }
            Ok(_) => {
                field(&mut errors, "budget.minor".into(), "must be at least 1");
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

    // Items: offered, active, one currency, valid customisation, enough stock.
    let offered = storefronts::offering(db, storefront.id, true).await?;
    let mut variants = HashMap::new();
    for offer in &offered {
        for variant in &offer.product.variants {
            variants.insert(variant.id, (offer, variant));
        }
    }
    let recipients_count = i64::try_from(all_recipients.len()).unwrap_or(i64::MAX);
    let mut lines = Vec::new();
    let mut gift: Vec<(Money, u32)> = budget.iter().map(|budget| (*budget, 1)).collect();
    let mut currency: Option<Currency> = budget.map(|budget| budget.currency);
    if let Some(budget) = budget {
        let affordable = variants.values().any(|(offer, variant)| {
            let price = offer.price_override_minor.unwrap_or(variant.price_minor);
            variant.currency == budget.currency.as_str() && price <= budget.minor
        });
        if !affordable {
            field(
                &mut errors,
                "budget".into(),
                "buys nothing on this storefront",
            );
        }
    }
    for (index, item) in body.items.iter().enumerate() {
        let at = |name: &str| format!("items[{index}].{name}");
        let Some((offer, variant)) = variants.get(&item.variant_id) else {
            field(
                &mut errors,
                at("variant_id"),
                "is not offered on this storefront",
            );
            continue;
        };
        if !(1..=100).contains(&item.quantity) {
            field(&mut errors, at("quantity"), "must be 1 to 100");
        }
        if let Some(stock) = variant.stock {
            let needed = i64::from(item.quantity).saturating_mul(recipients_count);
            if i64::from(stock) < needed {
                field(
                    &mut errors,
                    at("quantity"),
                    format!("only {stock} in stock"),
                );
            }
        }
        let options: Vec<CustomisationOption> =
            serde_json::from_str(&offer.product.product.customisation_options).unwrap_or_default();
        for option in &options {
            match item.customisation.get(&option.label) {
                None if option.required => field(
                    &mut errors,
                    at("customisation"),
                    format!("needs {:?}", option.label),
                ),
                Some(value) if value.chars().count() > option.max_length as usize => field(
                    &mut errors,
                    at("customisation"),
                    format!(
                        "{:?} is at most {} characters",
                        option.label, option.max_length
                    ),
                ),
                _ => {}
            }
        }
        for label in item.customisation.keys() {
            if !options.iter().any(|option| &option.label == label) {
                field(
                    &mut errors,
                    at("customisation"),
                    format!("{label:?} is not an option of this product"),
                );
            }
        }
        let Ok(variant_currency) = Currency::parse(&variant.currency) else {
            return Err(AppError::internal("a stored variant has no valid currency"));
        };
        if *currency.get_or_insert(variant_currency) != variant_currency {
            field(
                &mut errors,
                at("variant_id"),
                "is priced in another currency than the other items",
            );
        }
        let unit = offer.price_override_minor.unwrap_or(variant.price_minor);
        gift.push((
            Money {
                minor: unit,
                currency: variant_currency,
            },
            item.quantity,
        ));
        lines.push(NewLine {
            product_id: offer.product.product.id,
            variant_id: variant.id,
            sku: variant.sku.clone(),
            title: match &variant.title {
                Some(title) => format!("{} — {title}", offer.product.product.title),
                None => offer.product.product.title.clone(),
            },
            unit_price_minor: unit,
            quantity: item.quantity,
            customisation_json: serde_json::to_string(&item.customisation)
                .map_err(AppError::internal)?,
        });
    }

    // Recipients: method enabled, address resolves to a zone, send date not in the past.
    let enabled: Vec<DeliveryMethod> =
        serde_json::from_str(&storefront.delivery_methods).map_err(AppError::internal)?;
    let zones = zones_for(db, vendor, StorefrontId::from(storefront.id)).await?;
    let today = Utc::now().date_naive();
    let mut recipients = Vec::new();
    let mut shipping = Vec::new();
    let mut quoted_recipients = Vec::new();
    for (index, recipient) in all_recipients.iter().enumerate() {
        let at = |name: &str| format!("recipients[{index}].{name}");
        let email = Email::parse(&recipient.email);
        if email.is_err() {
            field(&mut errors, at("email"), "must be an email address");
        }
        if !is_name(&recipient.name) {
            field(&mut errors, at("name"), "must be 1 to 200 characters");
        }
        if !enabled.contains(&recipient.delivery_method) {
            field(
                &mut errors,
                at("delivery_method"),
                "is not enabled on this storefront",
            );
        }
        if budget.is_some() && recipient.delivery_method == DeliveryMethod::DeliverDirect {
            field(
                &mut errors,
                at("delivery_method"),
                "must be a link for a budget gift: the recipient chooses the gift",
            );
        }
        if recipient
            .delivery_note
            .as_ref()
            .is_some_and(|note| note.chars().count() > 500)
        {
            field(
                &mut errors,
                at("delivery_note"),
                "must be at most 500 characters",
            );
        }
        if recipient.send_on.is_some_and(|date| date < today) {
            field(&mut errors, at("send_on"), "must not be in the past");
        }
        let zone: Option<&Zone> = match &recipient.address {
            Some(address) => match resolve_address(&zones, address) {
                Ok(zone) => Some(zone),
                Err(message) => {
                    field(&mut errors, at("address"), message);
                    None
                }
            },
            None if recipient.delivery_method == DeliveryMethod::DeliverDirect => {
                field(&mut errors, at("address"), "is required for deliver_direct");
                None
            }
            None => None,
        };
        let rate = match (zone, &recipient.address) {
            (Some(zone), _) => Some(zone.rate),
            (None, None) => zones
                .iter()
                .map(|zone| zone.rate)
                .max_by_key(|rate| rate.minor),
            (None, Some(_)) => None,
        };
        let shipping_minor = match (rate, currency) {
            (Some(rate), Some(currency)) if rate.currency == currency => rate.minor,
            (Some(_), Some(_)) => {
                field(
                    &mut errors,
                    at("address"),
                    "is shipped in another currency than the items",
                );
                0
            }
            (None, _) if recipient.address.is_none() && zones.is_empty() => {
                field(
                    &mut errors,
                    at("address"),
                    "cannot be shipped: the vendor has no shipping zones",
                );
                0
            }
            _ => 0,
        };
        if let Some(currency) = currency {
            shipping.push(Money {
                minor: shipping_minor,
                currency,
            });
        }
        quoted_recipients.push(QuoteRecipient {
            name: recipient.name.trim().to_owned(),
            zone: zone.map(|zone| zone.name.clone()),
            shipping_minor,
        });
        recipients.push(NewRecipient {
            name: recipient.name.trim().to_owned(),
            email: email.map(|email| email.to_string()).unwrap_or_default(),
            address_json: recipient
                .address
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(AppError::internal)?,
            zone_id: zone.map(|zone| zone.id),
            shipping_minor,
            delivery_method: recipient.delivery_method,
            delivery_note: recipient.delivery_note.clone(),
            send_on: Some(recipient.send_on.unwrap_or(today)),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let currency = currency.ok_or_else(|| AppError::internal("priced an order without items"))?;
    let mode: FeeTransferMode = serde_json::from_value(serde_json::Value::String(
        storefront.fee_transfer_mode.clone(),
    ))
    .map_err(AppError::internal)?;
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
        let delivery_method =
            serde_json::from_value(serde_json::Value::String(row.delivery_method))
                .map_err(AppError::internal)?;
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
