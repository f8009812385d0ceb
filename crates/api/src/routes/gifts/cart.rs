//! A budget gift's choice: only offered options, in stock, 1 to 20 items, within the
//! budget; stored as the recipient's cart.

use super::view::{BudgetOption, ChosenItem};
use crate::error::ApiError;

/// Checks a budget gift's choice (options only, stock, within the budget) and returns it
/// as the stored cart.
pub(super) fn choose(
    options: &[BudgetOption],
    budget: i64,
    items: &[ChosenItem],
) -> Result<String, ApiError> {
    let mut fields = crate::validation::Fields::default();
    fields.check(
        !items.is_empty() && items.len() <= 20,
        "items",
        "must choose 1 to 20 items",
    );
    let mut total: i64 = 0;
    for (index, item) in items.iter().enumerate() {
        let option = options
            .iter()
            .find(|option| option.variant_id == item.variant_id);
        fields.check(
            option.is_some(),
            &format!("items[{index}].variant_id"),
            "is not one of the options",
        );
        fields.check(
            (1..=20).contains(&item.quantity),
            &format!("items[{index}].quantity"),
            "must be 1 to 20",
        );
        if let Some(option) = option {
            fields.check(
                option
                    .stock
                    .is_none_or(|stock| stock >= i32::try_from(item.quantity).unwrap_or(i32::MAX)),
                &format!("items[{index}].quantity"),
                "is more than is in stock",
            );
            total =
                total.saturating_add(option.price_minor.saturating_mul(i64::from(item.quantity)));
        }
    }
    fields.check(
        total <= budget,
        "items",
        &format!("cost {total}, more than the budget of {budget}"),
    );
    fields.finish()?;
    serde_json::to_string(items).map_err(ApiError::internal)
}
