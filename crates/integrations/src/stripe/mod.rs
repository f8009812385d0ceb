//! Stripe Connect: connected accounts and their onboarding links, Connect OAuth for an
//! existing account, PaymentIntents with destination charges, refunds, and a connected
//! account's balance and payouts.
//!
//! Policy: every POST carries an idempotency key the caller derives from its own ids, so a
//! retried call returns Stripe's first answer instead of acting twice. Every call has a
//! time limit. A network failure, a timeout, a 429 or a 5xx is `Unavailable` (try again
//! later: the API answers 503, a job retries); any other refusal is `Rejected` with
//! Stripe's message. The API base is configurable so tests run against a local stand-in.

mod balance;
mod types;
pub mod webhook;

pub use types::{
    Amount, BalanceView, ConnectedAccount, NewPaymentIntent, OnboardingLink, PaymentIntentView,
    PayoutView, RefundView,
};

use secrecy::ExposeSecret;
use serde_json::Value;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;
use stripe::{
    Account, AccountId, AccountLink, AccountLinkType, AccountType, Client, CreateAccount,
    CreateAccountCapabilities, CreateAccountCapabilitiesCardPayments,
    CreateAccountCapabilitiesTransfers, CreateAccountLink, CreatePaymentIntent,
    CreatePaymentIntentAutomaticPaymentMethods, CreatePaymentIntentTransferData, CreateRefund,
    Currency, PaymentIntent, PaymentIntentId, Refund, RequestStrategy,
};
use trove_bootstrap::settings::StripeSettings;
use trove_domain::payment::AccountState;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripeError {
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    #[error("Stripe refused the request ({status}): {message}")]
    Rejected {
        status: u16,
        code: Option<String>,
        message: String,
    },
    #[error("Stripe answered something unexpected: {0}")]
    Unexpected(String),
}

/// The platform's Stripe client.
#[derive(Clone)]
pub struct StripeClient {
    client: Client,
    http: reqwest::Client,
    secret_key: String,
    client_id: Option<String>,
    connect_base: String,
    timeout: Duration,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient")
            .field("connect_base", &self.connect_base)
            .finish_non_exhaustive()
    }
}

impl StripeClient {
    /// The client, or `None` when no secret key is configured (payments off).
    pub fn from_settings(settings: &StripeSettings) -> Result<Option<Self>, StripeError> {
        let Some(secret_key) = settings.secret_key.as_ref() else {
            return Ok(None);
        };
        let secret_key = secret_key.expose_secret().to_owned();
        let api_base = reqwest::Url::parse(&settings.api_base)
            .map_err(|error| StripeError::Unexpected(format!("stripe.api_base: {error}")))?;
        let timeout = Duration::from_secs(settings.timeout_seconds);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|error| StripeError::Unexpected(error.to_string()))?;
        Ok(Some(Self {
            client: Client::from_url(api_base.as_str(), secret_key.clone()),
            http,
            secret_key,
            client_id: settings.client_id.clone(),
            connect_base: settings.connect_base.trim_end_matches('/').to_owned(),
            timeout,
        }))
    }

    fn keyed(&self, idempotency_key: String) -> Client {
        self.client
            .clone()
            .with_strategy(RequestStrategy::Idempotent(idempotency_key))
    }

    async fn run<T>(
        &self,
        call: impl Future<Output = Result<T, stripe::StripeError>>,
    ) -> Result<T, StripeError> {
        match tokio::time::timeout(self.timeout, call).await {
            Err(_) => Err(StripeError::Unavailable("timed out".into())),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(classify(error)),
        }
    }

    /// Creates an Express account for a vendor, asking for card payments and transfers.
    pub async fn create_express_account(
        &self,
        idempotency_key: String,
        email: Option<&str>,
        country: Option<&str>,
        vendor_id: &str,
    ) -> Result<ConnectedAccount, StripeError> {
        let mut params = CreateAccount::new();
        params.type_ = Some(AccountType::Express);
        params.email = email;
        params.country = country;
        params.metadata = Some([("vendor_id".to_owned(), vendor_id.to_owned())].into());
        params.capabilities = Some(CreateAccountCapabilities {
            card_payments: Some(CreateAccountCapabilitiesCardPayments {
                requested: Some(true),
            }),
            transfers: Some(CreateAccountCapabilitiesTransfers {
                requested: Some(true),
            }),
            ..Default::default()
        });
        let client = self.keyed(idempotency_key);
        let account = self.run(Account::create(&client, params)).await?;
        connected(&account)
    }

    pub async fn retrieve_account(&self, id: &str) -> Result<ConnectedAccount, StripeError> {
        let id = parse_id::<AccountId>(id)?;
        let account = self.run(Account::retrieve(&self.client, &id, &[])).await?;
        connected(&account)
    }

    /// A fresh onboarding link for `account`.
    pub async fn onboarding_link(
        &self,
        idempotency_key: String,
        account: &str,
        return_url: &str,
        refresh_url: &str,
    ) -> Result<OnboardingLink, StripeError> {
        let mut params =
            CreateAccountLink::new(parse_id(account)?, AccountLinkType::AccountOnboarding);
        params.return_url = Some(return_url);
        params.refresh_url = Some(refresh_url);
        let client = self.keyed(idempotency_key);
        let link: AccountLink = self.run(AccountLink::create(&client, params)).await?;
        Ok(OnboardingLink {
            url: link.url,
            expires_at: link.expires_at,
        })
    }

    /// Where to send a vendor to connect an account they already have (Connect OAuth).
    /// `None` without a configured client id.
    pub fn oauth_authorize_url(&self, state: &str, redirect_uri: &str) -> Option<String> {
        let client_id = self.client_id.as_deref()?;
        let mut url =
            reqwest::Url::parse(&format!("{}/oauth/authorize", self.connect_base)).ok()?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("scope", "read_write")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state);
        Some(url.into())
    }

    /// Exchanges the OAuth `code` for the connected account id (`stripe_user_id`).
    pub async fn complete_oauth(&self, code: &str) -> Result<String, StripeError> {
        let response = self
            .http
            .post(format!("{}/oauth/token", self.connect_base))
            .bearer_auth(&self.secret_key)
            .form(&[("grant_type", "authorization_code"), ("code", code)])
            .send()
            .await
            .map_err(|error| StripeError::Unavailable(error.to_string()))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|error| StripeError::Unavailable(error.to_string()))?;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(StripeError::Unavailable(format!(
                "OAuth token exchange: {status}"
            )));
        }
        if !status.is_success() {
            let text = |field: &str| body.get(field).and_then(Value::as_str).map(str::to_owned);
            return Err(StripeError::Rejected {
                status: status.as_u16(),
                code: text("error"),
                message: text("error_description").unwrap_or_else(|| "OAuth refused".into()),
            });
        }
        body.get("stripe_user_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| StripeError::Unexpected("no stripe_user_id".into()))
    }

    /// A PaymentIntent on the platform with a destination charge to the vendor.
    pub async fn create_payment_intent(
        &self,
        new: NewPaymentIntent<'_>,
    ) -> Result<PaymentIntentView, StripeError> {
        let mut params = CreatePaymentIntent::new(new.amount_minor, currency(new.currency)?);
        params.application_fee_amount = Some(new.application_fee_minor);
        params.transfer_data = Some(CreatePaymentIntentTransferData {
            amount: None,
            destination: new.destination.to_owned(),
        });
        params.automatic_payment_methods = Some(CreatePaymentIntentAutomaticPaymentMethods {
            allow_redirects: None,
            enabled: true,
        });
        params.description = Some(&new.description);
        params.receipt_email = Some(new.receipt_email);
        params.metadata = Some(new.metadata.into_iter().collect());
        let client = self.keyed(new.idempotency_key);
        let intent = self.run(PaymentIntent::create(&client, params)).await?;
        Ok(intent_view(&intent))
    }

    pub async fn retrieve_payment_intent(
        &self,
        id: &str,
    ) -> Result<PaymentIntentView, StripeError> {
        let id = parse_id::<PaymentIntentId>(id)?;
        let intent = self
            .run(PaymentIntent::retrieve(&self.client, &id, &[]))
            .await?;
        Ok(intent_view(&intent))
    }

    /// Refunds `amount_minor` of a destination charge, giving back the platform fee in
    /// proportion and pulling the amount back from the vendor's account.
    pub async fn refund(
        &self,
        idempotency_key: String,
        payment_intent: &str,
        amount_minor: i64,
        metadata: BTreeMap<String, String>,
    ) -> Result<RefundView, StripeError> {
        let mut params = CreateRefund::new();
        params.payment_intent = Some(parse_id(payment_intent)?);
        params.amount = Some(amount_minor);
        params.refund_application_fee = Some(true);
        params.reverse_transfer = Some(true);
        params.metadata = Some(metadata.into_iter().collect());
        let client = self.keyed(idempotency_key);
        let refund: Refund = self.run(Refund::create(&client, params)).await?;
        Ok(RefundView {
            id: refund.id.to_string(),
            amount_minor: refund.amount,
            status: refund.status.unwrap_or_default(),
        })
    }
}

fn classify(error: stripe::StripeError) -> StripeError {
    match error {
        stripe::StripeError::Stripe(request) => {
            if request.http_status >= 500 || request.http_status == 429 {
                StripeError::Unavailable(format!(
                    "{}: {}",
                    request.http_status,
                    request.message.unwrap_or_default()
                ))
            } else {
                StripeError::Rejected {
                    status: request.http_status,
                    code: request
                        .code
                        .and_then(|code| serde_json::to_value(code).ok())
                        .and_then(|code| code.as_str().map(str::to_owned)),
                    message: request
                        .message
                        .unwrap_or_else(|| request.error_type.to_string()),
                }
            }
        }
        stripe::StripeError::ClientError(message) => StripeError::Unavailable(message),
        stripe::StripeError::Timeout => StripeError::Unavailable("timed out".into()),
        other => StripeError::Unexpected(other.to_string()),
    }
}

fn parse_id<T: FromStr>(id: &str) -> Result<T, StripeError> {
    id.parse()
        .map_err(|_| StripeError::Unexpected(format!("not a Stripe id: {id:?}")))
}

fn currency(code: &str) -> Result<Currency, StripeError> {
    Currency::from_str(&code.to_ascii_lowercase())
        .map_err(|_| StripeError::Unexpected(format!("currency {code} unknown to Stripe")))
}

fn connected(account: &Account) -> Result<ConnectedAccount, StripeError> {
    let value = serde_json::to_value(account)
        .map_err(|error| StripeError::Unexpected(error.to_string()))?;
    Ok(ConnectedAccount {
        id: account.id.to_string(),
        state: account_state(&value),
    })
}

/// Reads an Account object (an API answer or an `account.updated` event's object).
pub fn account_state(account: &Value) -> AccountState {
    let flag = |field: &str| account.get(field).and_then(Value::as_bool).unwrap_or(false);
    let requirements = account.get("requirements");
    AccountState {
        charges_enabled: flag("charges_enabled"),
        payouts_enabled: flag("payouts_enabled"),
        details_submitted: flag("details_submitted"),
        disabled_reason: requirements
            .and_then(|r| r.get("disabled_reason"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        requirements_due: requirements
            .and_then(|r| r.get("currently_due"))
            .and_then(Value::as_array)
            .map(|due| {
                due.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        capabilities: account
            .get("capabilities")
            .and_then(Value::as_object)
            .map(|caps| {
                caps.iter()
                    .filter_map(|(name, status)| Some((name.clone(), status.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn intent_view(intent: &PaymentIntent) -> PaymentIntentView {
    PaymentIntentView {
        id: intent.id.to_string(),
        status: intent.status.to_string(),
        amount_minor: intent.amount,
        currency: intent.currency.to_string().to_ascii_uppercase(),
        client_secret: intent.client_secret.clone(),
        last_error: intent
            .last_payment_error
            .as_ref()
            .and_then(|error| error.message.clone()),
    }
}
