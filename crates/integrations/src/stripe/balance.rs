//! Reading a connected account's money on its behalf (`Stripe-Account`): the balance and
//! the payouts to the vendor's bank.

use super::{Amount, BalanceView, PayoutView, StripeClient, StripeError, parse_id};
use stripe::{Balance, ListPayouts, Payout, PayoutId};

impl StripeClient {
    /// The connected account's balance.
    pub async fn balance(&self, account: &str) -> Result<BalanceView, StripeError> {
        let client = self.client.clone().with_stripe_account(parse_id(account)?);
        let balance: Balance = self.run(Balance::retrieve(&client, None)).await?;
        let amounts = |list: &[stripe::BalanceAmount]| {
            list.iter()
                .map(|amount| Amount {
                    amount_minor: amount.amount,
                    currency: amount.currency.to_string().to_ascii_uppercase(),
                })
                .collect()
        };
        Ok(BalanceView {
            available: amounts(&balance.available),
            pending: amounts(&balance.pending),
        })
    }

    /// The connected account's payouts, newest first; `true` when more follow.
    pub async fn payouts(
        &self,
        account: &str,
        limit: u64,
        starting_after: Option<&str>,
    ) -> Result<(Vec<PayoutView>, bool), StripeError> {
        let client = self.client.clone().with_stripe_account(parse_id(account)?);
        let mut params = ListPayouts::new();
        params.limit = Some(limit);
        params.starting_after = starting_after.map(parse_id::<PayoutId>).transpose()?;
        let list = self.run(Payout::list(&client, &params)).await?;
        let payouts = list
            .data
            .iter()
            .map(|payout| PayoutView {
                id: payout.id.to_string(),
                amount_minor: payout.amount,
                currency: payout.currency.to_string().to_ascii_uppercase(),
                status: payout.status.clone(),
                arrival_date: payout.arrival_date,
                created: payout.created,
            })
            .collect();
        Ok((payouts, list.has_more))
    }
}
