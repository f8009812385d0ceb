//! The gifting flow end to end, API and worker handlers in one process as the all-in-one
//! runs them (the test runs the due jobs itself at each step instead of waiting for the
//! worker's loop, and fails if one dies or is left behind):
//! storefront → quote → order with three recipients (one per delivery method) → marked
//! paid → the gift email and the customer's link email are delivered → a recipient
//! redeems, picks, confirms their address → `push_order` has run for them.
//!
//! Mail goes to the SMTP sink when `TEST_SMTP_ADDR`/`TEST_SMTP_DIR` name one (as in
//! `.ci/run`), else to an outbox folder; either way the test reads the delivered messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use trove_api::Application;
use trove_api::auth::TokenType;
use trove_api::auth::signing::{DEV_ISSUER, SigningKeys, TokenDraft, generate_key};
use trove_bootstrap::settings::{MailTransport, SmtpSecurity};
use trove_bootstrap::{Environment, Settings};
use trove_data_access::testing::TestDatabase;
use trove_worker::{Outcome, Worker, handlers};

struct System {
    address: String,
    client: reqwest::Client,
    keys: SigningKeys,
    mail_dir: PathBuf,
    shutdown: CancellationToken,
    worker: Worker,
    database: TestDatabase,
}

impl Drop for System {
    fn drop(&mut self) {
        // Checked before shutting down: the app closes the pool it shares with the test.
        let left = (!std::thread::panicking()).then(|| {
            let handle = tokio::runtime::Handle::current();
            tokio::task::block_in_place(|| handle.block_on(self.database.unsettled_jobs(true)))
                .unwrap()
        });
        self.shutdown.cancel();
        if let Some(left) = left {
            assert!(left.is_empty(), "the test left jobs unsettled: {left:?}");
        }
    }
}

impl System {
    async fn start() -> Self {
        let database = TestDatabase::create().await;
        let signing_key = generate_key().unwrap();
        let mut settings = Settings {
            env: Environment::Test,
            ..Settings::default()
        };
        settings.server.port = 0;
        settings.server.workers = 1;
        settings.database.url = SecretString::from(database.url.clone());
        settings.rate_limit.burst = 10_000;
        settings.auth.signing_key = Some(SecretString::from(signing_key.clone()));
        settings.auth.dev_issuer = true;
        settings.worker.poll_interval_ms = 50;
        settings.orders.redeem_url = "https://gifts.example/gift".into();
        let scratch = std::env::temp_dir().join(format!("trove-gifting-{}", uuid::Uuid::new_v4()));
        settings.storage.local_dir = scratch.join("files").display().to_string();
        settings.storage.local_url_key_file = scratch.join("url-key").display().to_string();
        settings.secrets.local_key_file = scratch.join("secrets-key").display().to_string();
        let mail_dir = match (
            std::env::var("TEST_SMTP_ADDR"),
            std::env::var("TEST_SMTP_DIR"),
        ) {
            (Ok(addr), Ok(dir)) if !addr.is_empty() && !dir.is_empty() => {
                let (host, port) = addr.rsplit_once(':').unwrap();
                settings.mail.transport = MailTransport::Smtp;
                settings.mail.smtp_host = host.to_owned();
                settings.mail.smtp_port = port.parse().unwrap();
                settings.mail.smtp_security = SmtpSecurity::None;
                PathBuf::from(dir)
            }
            _ => {
                let outbox = scratch.join("outbox");
                settings.mail.outbox_dir = outbox.display().to_string();
                outbox
            }
        };
        settings.validate().unwrap();

        let application = Application::build_with_db(&settings, database.db.clone())
            .await
            .unwrap();
        let address = format!("http://127.0.0.1:{}", application.port());
        let shutdown = CancellationToken::new();
        let handlers = handlers::registry(&database.db, &settings).await.unwrap();
        let worker = Worker::new(database.db.clone(), &settings.worker, handlers);
        tokio::spawn(application.run_until_stopped(shutdown.clone()));
        Self {
            address,
            client: reqwest::Client::new(),
            keys: SigningKeys::new(&signing_key, &[]).unwrap(),
            mail_dir,
            shutdown,
            worker,
            database,
        }
    }

    fn token(&self, typ: TokenType, email: &str) -> String {
        self.keys
            .issue(TokenDraft {
                issuer: DEV_ISSUER,
                typ,
                subject: format!("dev|{email}"),
                lifetime: Duration::from_secs(600),
                email: Some(email.to_owned()),
                vendor_id: None,
                nonce: None,
            })
            .unwrap()
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Runs every due job (and those they queue) now, as the worker would; none may die.
    async fn run_jobs(&self) {
        let outcomes = self.worker.run_due(20_000).await.unwrap();
        let failed: Vec<_> = outcomes
            .iter()
            .filter(|outcome| !matches!(outcome, Outcome::Completed | Outcome::Skipped))
            .collect();
        assert!(failed.is_empty(), "jobs failed: {failed:?}");
    }

    /// The delivered message to `to` containing `needle`, once the due jobs have run.
    async fn mail_to(&self, to: &str, needle: &str) -> String {
        self.run_jobs().await;
        for entry in std::fs::read_dir(&self.mail_dir)
            .into_iter()
            .flatten()
            .flatten()
        {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let name = entry.file_name().to_string_lossy().into_owned();
            // Undo quoted-printable soft line breaks so links read whole.
            let text = text.replace("=\r\n", "").replace("=\n", "");
            if name.ends_with(".eml")
                && text.contains(&format!("To: {to}"))
                && text.contains(needle)
            {
                return text;
            }
        }
        panic!("no mail to {to} with {needle:?} was delivered");
    }

    /// The vendor's view of the order once the due jobs have run; `check` must hold.
    async fn order_until(&self, path: &str, token: &str, check: impl Fn(&Value) -> bool) -> Value {
        self.run_jobs().await;
        let (status, order) = self.call(Method::GET, path, Some(token), None).await;
        assert_eq!(status, 200);
        assert!(check(&order), "the order never got there: {order}");
        order
    }
}

fn code_in(mail: &str) -> String {
    let start = mail
        .find("https://gifts.example/gift/")
        .expect("a gift link")
        + 27;
    mail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_gift_order_reaches_every_recipient_and_a_redeemed_gift_ships() {
    let system = System::start().await;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let ann = system.token(TokenType::Vendor, "ann@example.com");
    let admin = system.token(TokenType::Admin, "root@trove.example");
    let (_, vendor) = system
        .call(
            Method::POST,
            "/api/v1/vendors",
            Some(&ann),
            Some(json!({"name": "Acme"})),
        )
        .await;
    let base = format!("/api/v1/vendors/{}", vendor["id"].as_str().unwrap());
    let (status, _) = system
        .call(
            Method::POST,
            &format!("{base}/shipping-zones"),
            Some(&ann),
            Some(json!({"name": "Australia", "countries": ["AU"], "rate": {"minor": 1500, "currency": "AUD"}})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, product) = system
        .call(
            Method::POST,
            &format!("{base}/products"),
            Some(&ann),
            Some(json!({
                "title": "Hamper", "status": "active",
                "variants": [
                    {"sku": "H-RED", "title": "Red", "price": {"minor": 5000, "currency": "AUD"}, "stock": 50},
                    {"sku": "H-BLUE", "title": "Blue", "price": {"minor": 4000, "currency": "AUD"}, "stock": 50}
                ]
            })),
        )
        .await;
    let (_, storefront) = system
        .call(
            Method::POST,
            &format!("{base}/storefronts"),
            Some(&ann),
            Some(json!({
                "slug": format!("acme-{}", &run[..8]), "name": "Acme Gifts",
                "delivery_methods": ["deliver_direct", "email_link", "create_link"],
                "fee_transfer_mode": "full"
            })),
        )
        .await;
    let storefront_path = format!("{base}/storefronts/{}", storefront["id"].as_str().unwrap());
    let slug = storefront["slug"].as_str().unwrap().to_owned();
    system
        .call(
            Method::PUT,
            &format!("{storefront_path}/products"),
            Some(&ann),
            Some(json!({"items": [{"product_id": product["id"]}]})),
        )
        .await;
    let (status, _) = system
        .call(
            Method::POST,
            &format!("{storefront_path}/status"),
            Some(&admin),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(status, 200);

    let customer = format!("carol-{run}@example.com");
    let eve = format!("eve-{run}@example.com");
    let red = product["variants"][0]["id"].as_str().unwrap();
    let blue = product["variants"][1]["id"].as_str().unwrap();
    let order_body = json!({
        "customer": {"name": "Carol", "email": customer},
        "items": [{"variant_id": red, "quantity": 1}],
        "recipients": [
            {"name": "Dan", "email": format!("dan-{run}@example.com"), "delivery_method": "deliver_direct",
             "address": {"line1": "1 George St", "city": "Sydney", "postcode": "2000", "country": "AU"}},
            {"name": "Eve", "email": eve, "delivery_method": "email_link"},
            {"name": "Finn", "email": format!("finn-{run}@example.com"), "delivery_method": "create_link"}
        ]
    });
    let (status, quote) = system
        .call(
            Method::POST,
            &format!("/api/v1/public/storefronts/{slug}/quote"),
            None,
            Some(order_body.clone()),
        )
        .await;
    assert_eq!(status, 200, "{quote}");
    let (status, placed) = system
        .call(
            Method::POST,
            &format!("/api/v1/public/storefronts/{slug}/orders"),
            None,
            Some(order_body),
        )
        .await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["quote"]["total_minor"], quote["total_minor"]);
    let invoice = system.mail_to(&customer, "Amount due").await;
    assert!(invoice.contains(placed["payment_reference"].as_str().unwrap()));

    let order_path = format!("{base}/orders/{}", placed["id"].as_str().unwrap());
    let (status, paid) = system
        .call(
            Method::POST,
            &format!("{order_path}/status"),
            Some(&ann),
            Some(json!({"status": "paid"})),
        )
        .await;
    assert_eq!(
        (status, paid["status"].as_str()),
        (200, Some("paid")),
        "{paid}"
    );

    // The email link goes out today; the customer gets the link to hand to Finn.
    let gift_mail = system.mail_to(&eve, "https://gifts.example/gift/").await;
    let code = code_in(&gift_mail);
    assert_eq!(code.len(), 43, "{gift_mail}");
    let links_mail = system
        .mail_to(&customer, "Finn: https://gifts.example/gift/")
        .await;
    assert!(
        links_mail.contains("Finn: https://gifts.example/gift/"),
        "{links_mail}"
    );

    let after_send = system
        .order_until(&order_path, &ann, |order| {
            order["recipients"][0]["status"] == "pushed"
                && order["recipients"][1]["status"] == "link_sent"
        })
        .await;
    assert_eq!(after_send["recipients"][2]["status"], "scheduled");

    // Eve redeems, picks the blue one, confirms where it goes.
    let (status, session) = system
        .call(
            Method::POST,
            "/api/v1/gifts/redeem",
            None,
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(status, 201, "{session}");
    let recipient_token = session["token"].as_str().unwrap().to_owned();
    let (_, gift) = system
        .call(Method::GET, "/api/v1/gift", Some(&recipient_token), None)
        .await;
    assert_eq!(gift["status"], "redeemed");
    assert_eq!(gift["storefront"]["slug"], slug.as_str());
    assert_eq!(gift["items"][0]["choices"].as_array().unwrap().len(), 2);
    let line = gift["items"][0]["line_id"].clone();
    let (status, picked) = system
        .call(
            Method::PUT,
            "/api/v1/gift/cart",
            Some(&recipient_token),
            Some(json!({"picks": [{"line_id": line, "variant_id": blue}]})),
        )
        .await;
    assert_eq!(
        (status, picked["items"][0]["variant_id"].as_str()),
        (200, Some(blue))
    );
    let (status, refused) = system
        .call(
            Method::PUT,
            "/api/v1/gift/address",
            Some(&recipient_token),
            Some(json!({"address": {"line1": "1 Queen St", "city": "Auckland", "country": "NZ"}})),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    let (status, confirmed) = system
        .call(
            Method::PUT,
            "/api/v1/gift/address",
            Some(&recipient_token),
            Some(json!({"address": {"line1": "9 Bay Rd", "city": "Perth", "postcode": "6000", "country": "AU"}})),
        )
        .await;
    assert_eq!(
        (status, confirmed["status"].as_str()),
        (200, Some("address_confirmed"))
    );
    let shipped = system
        .order_until(&order_path, &ann, |order| {
            order["recipients"][1]["status"] == "pushed"
        })
        .await;
    assert_eq!(shipped["status"], "paid");

    // The code worked once into the gift; a wrong one is a plain 404.
    let (status, _) = system
        .call(
            Method::POST,
            "/api/v1/gifts/redeem",
            None,
            Some(json!({"code": "not-a-real-code"})),
        )
        .await;
    assert_eq!(status, 404);
    let (_, events) = system
        .call(
            Method::GET,
            &format!("{order_path}/events"),
            Some(&ann),
            None,
        )
        .await;
    let eve_moves: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["recipient_id"] == shipped["recipients"][1]["id"])
        .map(|event| event["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        eve_moves,
        [
            "scheduled",
            "link_sent",
            "redeemed",
            "address_confirmed",
            "pushed"
        ]
    );
}

/// A 10,000-row CSV with 17 bad rows of different kinds, in the AU template.
fn big_csv() -> (Vec<u8>, Vec<i32>) {
    let mut csv = b"name,email,delivery_method,address_line1,suburb,state,postcode\r\n".to_vec();
    let mut bad_lines = Vec::new();
    for row in 1..=10_000 {
        let line = row + 1;
        let bad = row % 588 == 0;
        let text = if !bad {
            format!("Person {row},person{row}@example.com,email_link,,,,\r\n")
        } else {
            bad_lines.push(line);
            match (row / 588) % 5 {
                0 => format!(",nameless{row}@example.com,email_link,,,,\r\n"),
                1 => format!("Person {row},not-an-email,email_link,,,,\r\n"),
                2 => format!("Person {row},p{row}@example.com,pigeon,,,,\r\n"),
                3 => format!("Person {row},p{row}@example.com,deliver_direct,,,,\r\n"),
                _ => {
                    // Not UTF-8.
                    let mut bytes =
                        format!("Person {row},p{row}@example.com,email_link,").into_bytes();
                    bytes.extend_from_slice(b"\xff\xfe,,,\r\n");
                    csv.extend_from_slice(&bytes);
                    continue;
                }
            }
        };
        csv.extend_from_slice(text.as_bytes());
    }
    (csv, bad_lines)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_thousand_row_csv_keeps_the_good_rows_and_lists_every_bad_one() {
    let system = System::start().await;
    let ann = system.token(TokenType::Vendor, "ann@example.com");
    let admin = system.token(TokenType::Admin, "root@trove.example");
    let (_, vendor) = system
        .call(
            Method::POST,
            "/api/v1/vendors",
            Some(&ann),
            Some(json!({"name": "Acme"})),
        )
        .await;
    let vendor_id = vendor["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/vendors/{vendor_id}");
    let (_, storefront) = system
        .call(
            Method::POST,
            &format!("{base}/storefronts"),
            Some(&ann),
            Some(json!({
                "slug": format!("bulk-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
                "name": "Bulk", "delivery_methods": ["email_link", "create_link"], "fee_transfer_mode": "none"
            })),
        )
        .await;
    let storefront_path = format!("{base}/storefronts/{}", storefront["id"].as_str().unwrap());
    let lists = format!("{storefront_path}/recipient-lists");

    let (csv, bad_lines) = big_csv();
    assert_eq!(bad_lines.len(), 17);
    let (status, declared) = system
        .call(
            Method::POST,
            "/api/v1/uploads",
            Some(&ann),
            Some(json!({"vendor_id": vendor_id, "purpose": "recipient_csv", "content_type": "text/csv", "size_bytes": csv.len()})),
        )
        .await;
    assert_eq!(status, 201, "{declared}");
    let put = system
        .client
        .put(declared["upload_request"]["url"].as_str().unwrap())
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let upload_id = declared["upload"]["id"].as_str().unwrap();
    let (status, _) = system
        .call(
            Method::POST,
            &format!("/api/v1/uploads/{upload_id}/confirm"),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let (status, queued) = system
        .call(
            Method::POST,
            &lists,
            Some(&ann),
            Some(json!({"upload_id": upload_id, "template": "AU"})),
        )
        .await;
    assert_eq!(status, 202, "{queued}");
    let list_path = format!("{base}/recipient-lists/{}", queued["id"].as_str().unwrap());
    let done = system
        .order_until(&list_path, &ann, |list| list["status"] == "done")
        .await;
    assert_eq!(
        (
            done["rows_total"].as_i64(),
            done["rows_done"].as_i64(),
            done["good_rows"].as_i64(),
            done["failed_rows"].as_i64()
        ),
        (Some(10_000), Some(10_000), Some(9_983), Some(17)),
        "{}",
        done["errors"]
    );
    let lines: Vec<i32> = done["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| i32::try_from(error["line"].as_i64().unwrap()).unwrap())
        .collect();
    assert_eq!(lines, bad_lines);
    let reasons: Vec<&str> = done["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    for expected in [
        "name is empty",
        "not an email",
        "pigeon",
        "needs an address",
        "UTF-8",
    ] {
        assert!(
            reasons.iter().any(|reason| reason.contains(expected)),
            "{expected}: {reasons:?}"
        );
    }

    // The good rows become the recipients of one order.
    let (status, _) = system
        .call(
            Method::POST,
            &format!("{base}/shipping-zones"),
            Some(&ann),
            Some(json!({"name": "Australia", "countries": ["AU"], "rate": {"minor": 1000, "currency": "AUD"}})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, product) = system
        .call(
            Method::POST,
            &format!("{base}/products"),
            Some(&ann),
            Some(json!({"title": "Card", "status": "active",
                "variants": [{"sku": "C-1", "price": {"minor": 500, "currency": "AUD"}}]})),
        )
        .await;
    system
        .call(
            Method::PUT,
            &format!("{storefront_path}/products"),
            Some(&ann),
            Some(json!({"items": [{"product_id": product["id"]}]})),
        )
        .await;
    system
        .call(
            Method::POST,
            &format!("{storefront_path}/status"),
            Some(&admin),
            Some(json!({"status": "active"})),
        )
        .await;
    let slug = storefront["slug"].as_str().unwrap();
    let (status, placed) = system
        .call(
            Method::POST,
            &format!("/api/v1/public/storefronts/{slug}/orders"),
            None,
            Some(json!({
                "customer": {"name": "Corp Buyer", "email": "buyer@example.com"},
                "items": [{"variant_id": product["variants"][0]["id"], "quantity": 1}],
                "recipient_list_id": done["id"]
            })),
        )
        .await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["quote"]["items_minor"], 9_983 * 500);
    assert_eq!(placed["quote"]["shipping_minor"], 9_983 * 1000);
    let (_, order) = system
        .call(
            Method::GET,
            &format!("{base}/orders/{}", placed["id"].as_str().unwrap()),
            Some(&ann),
            None,
        )
        .await;
    assert_eq!(order["recipients"].as_array().unwrap().len(), 9_983);
    assert_eq!(order["recipients"][0]["email"], "person1@example.com");

    // A file without the required columns fails as a whole, with the reason.
    let broken = b"full_name,mail\r\nAnn,ann@example.com\r\n".to_vec();
    let (_, declared) = system
        .call(
            Method::POST,
            "/api/v1/uploads",
            Some(&ann),
            Some(json!({"vendor_id": vendor_id, "purpose": "recipient_csv", "content_type": "text/csv", "size_bytes": broken.len()})),
        )
        .await;
    system
        .client
        .put(declared["upload_request"]["url"].as_str().unwrap())
        .header("content-type", "text/csv")
        .body(broken)
        .send()
        .await
        .unwrap();
    let upload_id = declared["upload"]["id"].as_str().unwrap();
    system
        .call(
            Method::POST,
            &format!("/api/v1/uploads/{upload_id}/confirm"),
            Some(&ann),
            None,
        )
        .await;
    let (_, queued) = system
        .call(
            Method::POST,
            &lists,
            Some(&ann),
            Some(json!({"upload_id": upload_id, "template": "AU"})),
        )
        .await;
    let list_path = format!("{base}/recipient-lists/{}", queued["id"].as_str().unwrap());
    let failed = system
        .order_until(&list_path, &ann, |list| list["status"] == "failed")
        .await;
    assert!(
        failed["failure"]
            .as_str()
            .unwrap()
            .contains("missing columns: name, email"),
        "{failed}"
    );

    let (status, template) = system
        .call(
            Method::GET,
            "/api/v1/recipient-lists/templates/gb",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let _ = template;
}
