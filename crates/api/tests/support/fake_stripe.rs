//! A stand-in Stripe: answers the API calls Trove makes in Stripe's JSON shapes (accounts,
//! account links, Connect OAuth, PaymentIntents, refunds, balance, payouts), keeps every
//! request (form fields, idempotency key, Stripe-Account) for the test to check, replays
//! a repeated idempotency key like Stripe does, and can be told to fail.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

pub const SECRET_KEY: &str = "sk_test_trove_fake";
pub const WEBHOOK_SECRET: &str = "whsec_trove_current";
/// An authorization code the fake's Connect OAuth accepts.
pub const OAUTH_CODE: &str = "ac_trove_valid";
/// The existing account that code connects.
pub const OAUTH_ACCOUNT: &str = "acct_1ExistingStandard";

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub stripe_account: Option<String>,
    pub form: BTreeMap<String, String>,
}

#[derive(Default)]
struct Ledger {
    requests: Vec<Recorded>,
    replays: HashMap<String, (BTreeMap<String, String>, u16, Value)>,
    accounts: HashMap<String, Value>,
    intents: HashMap<String, Value>,
    refunded: HashMap<String, i64>,
    failures: Vec<u16>,
    /// How long the next requests wait before answering.
    delays: Vec<std::time::Duration>,
    next_id: u64,
}

impl Ledger {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_1Fake{:08}", self.next_id)
    }
}

pub struct FakeStripe {
    /// The API base (`stripe.api_base`).
    pub base: String,
    /// The Connect base (`stripe.connect_base`).
    pub connect_base: String,
    ledger: Arc<Mutex<Ledger>>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn error(status: u16, kind: &str, code: Option<&str>, message: &str) -> (u16, Value) {
    (
        status,
        json!({"error": {"type": kind, "code": code, "message": message}}),
    )
}

fn form_of(body: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(body);
    reqwest::Url::parse(&format!("http://form.invalid/?{text}"))
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

fn account(id: &str, kind: &str, enabled: bool, form: &BTreeMap<String, String>) -> Value {
    let status = if enabled { "active" } else { "inactive" };
    let due: Vec<&str> = if enabled {
        vec![]
    } else {
        vec!["external_account", "tos_acceptance.date"]
    };
    json!({
        "id": id, "object": "account", "type": kind,
        "business_type": null, "country": form.get("country").cloned().unwrap_or_else(|| "AU".into()),
        "created": now(), "default_currency": "aud",
        "email": form.get("email"),
        "charges_enabled": enabled, "payouts_enabled": enabled, "details_submitted": enabled,
        "capabilities": {"card_payments": status, "transfers": status},
        "requirements": {
            "alternatives": [], "current_deadline": null, "currently_due": due,
            "disabled_reason": if enabled { Value::Null } else { json!("requirements.past_due") },
            "errors": [], "eventually_due": due, "past_due": due, "pending_verification": []
        },
        "metadata": metadata(form),
    })
}

fn metadata(form: &BTreeMap<String, String>) -> Value {
    form.iter()
        .filter_map(|(key, value)| {
            let name = key.strip_prefix("metadata[")?.strip_suffix(']')?;
            Some((name.to_owned(), json!(value)))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn intent(id: &str, form: &BTreeMap<String, String>) -> Value {
    let amount: i64 = form["amount"].parse().unwrap();
    json!({
        "id": id, "object": "payment_intent",
        "amount": amount, "amount_capturable": 0, "amount_received": 0,
        "application_fee_amount": form.get("application_fee_amount").map(|fee| fee.parse::<i64>().unwrap()),
        "automatic_payment_methods": {"enabled": true},
        "capture_method": "automatic", "confirmation_method": "automatic",
        "client_secret": format!("{id}_secret_fake"),
        "created": now(), "currency": form["currency"],
        "description": form.get("description"),
        "last_payment_error": null, "latest_charge": null, "livemode": false,
        "metadata": metadata(form),
        "payment_method_types": ["card"],
        "receipt_email": form.get("receipt_email"),
        "status": "requires_payment_method",
        "transfer_data": {"destination": form.get("transfer_data[destination]")},
    })
}

async fn handle(
    request: HttpRequest,
    body: web::Bytes,
    ledger: web::Data<Arc<Mutex<Ledger>>>,
) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let recorded = Recorded {
        method: request.method().to_string(),
        path: request.path().to_owned(),
        idempotency_key: header("idempotency-key"),
        stripe_account: header("stripe-account"),
        form: form_of(&body),
    };
    let delay = {
        let mut ledger = ledger.lock().unwrap();
        ledger.requests.push(recorded.clone());
        (!ledger.delays.is_empty()).then(|| ledger.delays.remove(0))
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let mut ledger = ledger.lock().unwrap();
    let (status, value) = answer(&mut ledger, &recorded, header("authorization"));
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .insert_header(("request-id", "req_fake"))
        .json(value)
}

fn answer(ledger: &mut Ledger, request: &Recorded, authorization: Option<String>) -> (u16, Value) {
    if authorization.as_deref() != Some(&format!("Bearer {SECRET_KEY}")) {
        return error(
            401,
            "invalid_request_error",
            None,
            "Invalid API Key provided",
        );
    }
    if !ledger.failures.is_empty() {
        let status = ledger.failures.remove(0);
        return error(
            status,
            "api_error",
            None,
            "An unexpected error occurred (fake).",
        );
    }
    let replay = request
        .idempotency_key
        .as_ref()
        .and_then(|key| ledger.replays.get(key));
    if let Some((form, status, value)) = replay {
        if form != &request.form {
            return error(
                400,
                "idempotency_error",
                None,
                "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            );
        }
        return (*status, value.clone());
    }
    let result = route(ledger, request);
    if let Some(key) = &request.idempotency_key {
        ledger.replays.insert(
            key.clone(),
            (request.form.clone(), result.0, result.1.clone()),
        );
    }
    result
}

fn route(ledger: &mut Ledger, request: &Recorded) -> (u16, Value) {
    let form = &request.form;
    let parts: Vec<&str> = request.path.trim_matches('/').split('/').collect();
    match (request.method.as_str(), parts.as_slice()) {
        ("POST", ["v1", "accounts"]) => {
            let id = ledger.id("acct");
            let created = account(&id, &form["type"], false, form);
            ledger.accounts.insert(id, created.clone());
            (200, created)
        }
        ("GET", ["v1", "accounts", id]) => match ledger.accounts.get(*id) {
            Some(found) => (200, found.clone()),
            None => error(
                404,
                "invalid_request_error",
                Some("resource_missing"),
                "No such account",
            ),
        },
        ("POST", ["v1", "account_links"]) => {
            let id = ledger.id("link");
            (
                200,
                json!({"object": "account_link", "created": now(), "expires_at": now() + 300,
                       "url": format!("https://connect.stripe.test/setup/e/{}/{id}", form["account"])}),
            )
        }
        ("POST", ["connect", "oauth", "token"])
            if form.get("code").map(String::as_str) == Some(OAUTH_CODE) =>
        {
            let connected = account(OAUTH_ACCOUNT, "standard", true, form);
            ledger.accounts.insert(OAUTH_ACCOUNT.into(), connected);
            (
                200,
                json!({"access_token": "sk_test_connected", "livemode": false, "refresh_token": "rt_fake",
                       "token_type": "bearer", "stripe_publishable_key": "pk_test_connected",
                       "stripe_user_id": OAUTH_ACCOUNT, "scope": "read_write"}),
            )
        }
        ("POST", ["connect", "oauth", "token"]) => (
            400,
            json!({"error": "invalid_grant", "error_description": "Authorization code does not exist"}),
        ),
        ("POST", ["v1", "payment_intents"]) => {
            let id = ledger.id("pi");
            let created = intent(&id, form);
            ledger.intents.insert(id, created.clone());
            (200, created)
        }
        ("GET", ["v1", "payment_intents", id]) => match ledger.intents.get(*id) {
            Some(found) => (200, found.clone()),
            None => error(
                404,
                "invalid_request_error",
                Some("resource_missing"),
                "No such payment_intent",
            ),
        },
        ("POST", ["v1", "refunds"]) => refund(ledger, form),
        ("GET", ["v1", "balance"]) => (
            200,
            json!({"object": "balance", "livemode": false,
                   "available": [{"amount": 12_345, "currency": "aud", "source_types": {"card": 12_345}}],
                   "pending": [{"amount": 4_200, "currency": "aud", "source_types": {"card": 4_200}}]}),
        ),
        ("GET", ["v1", "payouts"]) => {
            let payouts: Vec<Value> = (1..=3)
                .map(|n| json!({
                    "id": format!("po_1Fake{n}"), "object": "payout", "amount": 10_000 * n,
                    "arrival_date": 1_763_000_000 + n * 86_400, "automatic": true,
                    "balance_transaction": null, "created": 1_762_900_000 + n * 86_400,
                    "currency": "aud", "description": "STRIPE PAYOUT", "destination": null,
                    "failure_balance_transaction": null, "failure_code": null, "failure_message": null,
                    "livemode": false, "metadata": {}, "method": "standard", "original_payout": null,
                    "reconciliation_status": "completed", "reversed_by": null, "source_type": "card",
                    "statement_descriptor": null, "status": if n == 1 { "in_transit" } else { "paid" },
                    "type": "bank_account"
                }))
                .collect();
            (
                200,
                json!({"object": "list", "data": payouts, "has_more": true, "url": "/v1/payouts"}),
            )
        }
        _ => error(
            404,
            "invalid_request_error",
            None,
            "Unrecognized request URL (fake)",
        ),
    }
}

fn refund(ledger: &mut Ledger, form: &BTreeMap<String, String>) -> (u16, Value) {
    let Some(intent) = form
        .get("payment_intent")
        .and_then(|id| ledger.intents.get(id))
        .cloned()
    else {
        return error(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            "No such payment_intent",
        );
    };
    if intent["status"] != "succeeded" {
        return error(
            400,
            "invalid_request_error",
            Some("charge_not_succeeded"),
            "This PaymentIntent has no successful charge to refund.",
        );
    }
    let total = intent["amount"].as_i64().unwrap();
    let done = ledger
        .refunded
        .get(&form["payment_intent"])
        .copied()
        .unwrap_or(0);
    let amount = form
        .get("amount")
        .map_or(total - done, |a| a.parse().unwrap());
    if amount > total - done {
        return error(
            400,
            "invalid_request_error",
            Some("charge_already_refunded"),
            "Refund amount is greater than unrefunded amount on charge",
        );
    }
    ledger
        .refunded
        .insert(form["payment_intent"].clone(), done + amount);
    let id = ledger.id("re");
    (
        200,
        json!({"id": id, "object": "refund", "amount": amount, "balance_transaction": null,
               "charge": intent["latest_charge"], "created": now(), "currency": intent["currency"],
               "metadata": metadata(form), "payment_intent": intent["id"], "reason": null,
               "receipt_number": null, "source_transfer_reversal": null, "status": "succeeded",
               "transfer_reversal": "trr_fake"}),
    )
}

impl FakeStripe {
    pub async fn start() -> Self {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let data = web::Data::new(ledger.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .default_service(web::to(handle))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            base: format!("http://127.0.0.1:{port}/"),
            connect_base: format!("http://127.0.0.1:{port}/connect"),
            ledger,
        }
    }

    /// Points `settings` at this fake with webhook secret `WEBHOOK_SECRET`.
    pub fn configure(&self, settings: &mut trove_bootstrap::Settings) {
        settings.stripe.secret_key = Some(secrecy::SecretString::from(SECRET_KEY));
        settings.stripe.client_id = Some("ca_trove_fake".into());
        settings.stripe.api_base = self.base.clone();
        settings.stripe.connect_base = self.connect_base.clone();
        settings.stripe.webhook_secret = Some(secrecy::SecretString::from(WEBHOOK_SECRET));
        settings.stripe.timeout_seconds = 5;
    }

    /// Every request so far whose path is `path`.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Recorded> {
        let ledger = self.ledger.lock().unwrap();
        ledger
            .requests
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .cloned()
            .collect()
    }

    /// The next `count` requests answer `status` (an api_error).
    pub fn fail_next(&self, count: usize, status: u16) {
        self.ledger
            .lock()
            .unwrap()
            .failures
            .extend(std::iter::repeat_n(status, count));
    }

    /// The next request waits `delay` before it is answered (a slow Stripe).
    pub fn delay_next(&self, delay: std::time::Duration) {
        self.ledger.lock().unwrap().delays.push(delay);
    }

    /// Marks an account as fully onboarded and returns it (the `account.updated` object).
    pub fn enable_account(&self, id: &str) -> Value {
        let mut ledger = self.ledger.lock().unwrap();
        let current = ledger.accounts.get(id).cloned().unwrap();
        let enabled = account(
            id,
            current["type"].as_str().unwrap(),
            true,
            &BTreeMap::new(),
        );
        ledger.accounts.insert(id.to_owned(), enabled.clone());
        enabled
    }

    /// The customer's card went through: the intent succeeds with a charge.
    pub fn succeed(&self, id: &str) -> Value {
        self.update_intent(id, |intent| {
            intent["status"] = json!("succeeded");
            intent["amount_received"] = intent["amount"].clone();
            intent["latest_charge"] = json!(id.replacen("pi_", "ch_", 1));
        })
    }

    /// The customer's card was declined.
    pub fn decline(&self, id: &str) -> Value {
        self.update_intent(id, |intent| {
            intent["last_payment_error"] = json!({"type": "card_error", "code": "card_declined",
                "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."});
        })
    }

    fn update_intent(&self, id: &str, change: impl FnOnce(&mut Value)) -> Value {
        let mut ledger = self.ledger.lock().unwrap();
        let intent = ledger.intents.get_mut(id).unwrap();
        change(intent);
        intent.clone()
    }

    /// The charge object of a refunded intent, as `charge.refunded` carries it.
    pub fn charge(&self, intent_id: &str, amount_refunded: i64) -> Value {
        let ledger = self.ledger.lock().unwrap();
        let intent = &ledger.intents[intent_id];
        json!({"id": intent["latest_charge"], "object": "charge", "amount": intent["amount"],
               "amount_refunded": amount_refunded, "application_fee_amount": intent["application_fee_amount"],
               "currency": intent["currency"], "payment_intent": intent_id,
               "refunded": amount_refunded == intent["amount"].as_i64().unwrap(), "status": "succeeded"})
    }
}
