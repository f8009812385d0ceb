//! The recipients of a checkout: a valid name and email, a delivery method the storefront
//! enables (a link for a budget gift), a send date not in the past, and an address that
//! falls in one of the storefront's zones (required for `deliver_direct`). Each pays the
//! shipping of their zone; a link gift without an address pays the highest rate, since
//! the recipient confirms the address later.

use super::{QuoteRecipient, RecipientBody, field};
use crate::catalogue::is_name;
use crate::shipping::resolve_address;
use crate::{AppError, FieldError};
use chrono::Utc;
use trove_data_access::orders::NewRecipient;
use trove_data_access::shipping_zones::Zone;
use trove_domain::email::Email;
use trove_domain::money::{Currency, Money};
use trove_domain::storefront::DeliveryMethod;

/// The checked recipients: rows to store, each one's shipping, and the quote's lines.
pub(super) struct PricedRecipients {
    pub recipients: Vec<NewRecipient>,
    pub shipping: Vec<Money>,
    pub quoted: Vec<QuoteRecipient>,
}

/// Checks and prices `all_recipients` with the storefront's `enabled` methods and `zones`,
/// in the items' `currency`; problems go to `errors`.
pub(super) fn price_recipients(
    all_recipients: &[RecipientBody],
    enabled: &[DeliveryMethod],
    zones: &[Zone],
    budget: Option<Money>,
    currency: Option<Currency>,
    errors: &mut Vec<FieldError>,
) -> Result<PricedRecipients, AppError> {
    let today = Utc::now().date_naive();
    let mut recipients = Vec::new();
    let mut shipping = Vec::new();
    let mut quoted_recipients = Vec::new();
    for (index, recipient) in all_recipients.iter().enumerate() {
        let at = |name: &str| format!("recipients[{index}].{name}");
        let email = Email::parse(&recipient.email);
        if email.is_err() {
            field(errors, at("email"), "must be an email address");
        }
        if !is_name(&recipient.name) {
            field(errors, at("name"), "must be 1 to 200 characters");
        }
        if !enabled.contains(&recipient.delivery_method) {
            field(
                errors,
                at("delivery_method"),
                "is not enabled on this storefront",
            );
        }
        if budget.is_some() && recipient.delivery_method == DeliveryMethod::DeliverDirect {
            field(
                errors,
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
                errors,
                at("delivery_note"),
                "must be at most 500 characters",
            );
        }
        if recipient.send_on.is_some_and(|date| date < today) {
            field(errors, at("send_on"), "must not be in the past");
        }
        let zone: Option<&Zone> = match &recipient.address {
            Some(address) => match resolve_address(zones, address) {
                Ok(zone) => Some(zone),
                Err(message) => {
                    field(errors, at("address"), message);
                    None
                }
            },
            None if recipient.delivery_method == DeliveryMethod::DeliverDirect => {
                field(errors, at("address"), "is required for deliver_direct");
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
                    errors,
                    at("address"),
                    "is shipped in another currency than the items",
                );
                0
            }
            (None, _) if recipient.address.is_none() && zones.is_empty() => {
                field(
                    errors,
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
    Ok(PricedRecipients {
        recipients,
        shipping,
        quoted: quoted_recipients,
    })
}
