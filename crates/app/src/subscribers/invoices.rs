//! A bank-transfer order's customer is emailed the invoice: the total and the reference
//! to quote. Card orders pay at checkout and get Stripe's receipt instead.

use crate::events::DomainEvent;
use sea_orm::{ConnectionTrait, DbErr};
use trove_data_access::jobs;
use trove_domain::email_template::{EmailTemplate, OrderInvoice};
use trove_domain::ids::JobId;
use trove_domain::job::{JobPayload, SendEmail};
use trove_domain::order::payment_reference;

pub(super) async fn on(db: &impl ConnectionTrait, event: &DomainEvent) -> Result<(), DbErr> {
    let DomainEvent::OrderPlaced(placed) = event else {
        return Ok(());
    };
    if placed.payment_method != "bank_transfer" {
        return Ok(());
    }
    let email = JobPayload::SendEmail(SendEmail {
        v: 1,
        to: placed.customer_email.clone(),
        vendor_id: Some(placed.vendor_id.as_uuid()),
        email: EmailTemplate::OrderInvoice(OrderInvoice {
            customer_name: placed.customer_name.clone(),
            storefront_name: placed.storefront_name.clone(),
            payment_reference: payment_reference(placed.order_id.as_uuid()),
            total: format_money(placed.total_minor, &placed.currency),
            recipients: placed.recipients.to_string(),
        }),
    });
    jobs::enqueue(db, JobId::new(), &email, jobs::now()).await?;
    Ok(())
}

/// `AUD 210.02` from minor units (two-decimal currencies; the email shows it as text).
fn format_money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{currency} {sign}{}.{:02}", minor / 100, minor % 100)
}

#[cfg(test)]
mod tests {
    use super::format_money;

    #[test]
    fn money_reads_as_currency_and_two_decimals() {
        assert_eq!(format_money(21_002, "AUD"), "AUD 210.02");
        assert_eq!(format_money(5, "NZD"), "NZD 0.05");
        assert_eq!(format_money(-150, "USD"), "USD -1.50");
    }
}
