//! The items of a checkout: each must be an active variant the storefront offers, 1–100
//! per recipient, in stock for every recipient, with valid customisation, all in one
//! currency; priced at the storefront's price. A budget gift instead must buy something.

use super::{CheckoutBody, field};
use crate::AppError;
use crate::FieldError;
use crate::catalogue::CustomisationOption;
use std::collections::HashMap;
use trove_data_access::orders::NewLine;
use trove_data_access::storefronts::Offered;
use trove_domain::money::{Currency, Money};

/// The checked items: the order's lines, the gift's parts (price and quantity) to price,
/// and the one currency they share (unknown when nothing valid was given).
pub(super) struct PricedItems {
    pub lines: Vec<NewLine>,
    pub gift: Vec<(Money, u32)>,
    pub currency: Option<Currency>,
}

/// Checks and prices `body`'s items (or its budget) for `recipients_count` recipients
/// against the storefront's `offered` products; problems go to `errors`.
pub(super) fn price_items(
    body: &CheckoutBody,
    offered: &[Offered],
    budget: Option<Money>,
    recipients_count: i64,
    errors: &mut Vec<FieldError>,
) -> Result<PricedItems, AppError> {
    let mut variants = HashMap::new();
    for offer in offered {
        for variant in &offer.product.variants {
            variants.insert(variant.id, (offer, variant));
        }
    }
    let mut lines = Vec::new();
    let mut gift: Vec<(Money, u32)> = budget.iter().map(|budget| (*budget, 1)).collect();
    let mut currency: Option<Currency> = budget.map(|budget| budget.currency);
    if let Some(budget) = budget {
        let affordable = variants.values().any(|(offer, variant)| {
            let price = offer.price_override_minor.unwrap_or(variant.price_minor);
            variant.currency == budget.currency.as_str() && price <= budget.minor
        });
        if !affordable {
            field(errors, "budget".into(), "buys nothing on this storefront");
        }
    }
    for (index, item) in body.items.iter().enumerate() {
        let at = |name: &str| format!("items[{index}].{name}");
        let Some((offer, variant)) = variants.get(&item.variant_id) else {
            field(
                errors,
                at("variant_id"),
                "is not offered on this storefront",
            );
            continue;
        };
        if !(1..=100).contains(&item.quantity) {
            field(errors, at("quantity"), "must be 1 to 100");
        }
        if let Some(stock) = variant.stock {
            let needed = i64::from(item.quantity).saturating_mul(recipients_count);
            if i64::from(stock) < needed {
                field(errors, at("quantity"), format!("only {stock} in stock"));
            }
        }
        let options: Vec<CustomisationOption> =
            serde_json::from_str(&offer.product.product.customisation_options).unwrap_or_default();
        for option in &options {
            match item.customisation.get(&option.label) {
                None if option.required => field(
                    errors,
                    at("customisation"),
                    format!("needs {:?}", option.label),
                ),
                Some(value) if value.chars().count() > option.max_length as usize => field(
                    errors,
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
                    errors,
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
                errors,
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

    Ok(PricedItems {
        lines,
        gift,
        currency,
    })
}
