//! How many SQL statements the two hottest public routes send, counted exactly from the
//! driver's own statement log (`database.log_statements`), BEGIN and COMMIT included: a
//! storefront read and a checkout. Exact counts, not timings, so they cannot flake and a
//! regression shows as a number with the statements listed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use std::sync::{Mutex, OnceLock};
use support::TestApp;
use support::shop::{post_order, shop, sydney};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// The statements the driver logged while recording was on.
#[derive(Default)]
struct StatementLog {
    recording: bool,
    statements: Vec<String>,
}

fn log() -> &'static Mutex<StatementLog> {
    static LOG: OnceLock<Mutex<StatementLog>> = OnceLock::new();
    LOG.get_or_init(|| {
        tracing_subscriber::registry().with(Recorder).init();
        Mutex::default()
    })
}

/// One test at a time records: the log is process-wide.
fn turn() -> &'static tokio::sync::Mutex<()> {
    static TURN: OnceLock<tokio::sync::Mutex<()>> = OnceLock::new();
    TURN.get_or_init(Default::default)
}

struct Recorder;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut statement = Statement::default();
        event.record(&mut statement);
        // A connection the pool opens meanwhile sends its session setup once (`SET …` on
        // MariaDB, `PRAGMA …` on SQLite): the connection's cost, not the request's.
        let text = statement.0.trim_start_matches('"');
        if text.starts_with("SET ") || text.starts_with("PRAGMA ") {
            return;
        }
        let mut log = log().lock().unwrap();
        if log.recording {
            log.statements.push(statement.0);
        }
    }
}

#[derive(Default)]
struct Statement(String);

impl Visit for Statement {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" {
            self.0 = value.to_owned();
        }
    }
}

/// The statements sent while `action` ran.
async fn statements_of<T>(action: impl AsyncFnOnce() -> T) -> (T, Vec<String>) {
    log().lock().unwrap().recording = true;
    let result = action().await;
    let mut log = log().lock().unwrap();
    log.recording = false;
    (result, std::mem::take(&mut log.statements))
}

async fn app_logging_statements(cache: bool) -> TestApp {
    log();
    TestApp::spawn_with(|settings| {
        settings.database.log_statements = true;
        settings.storefront_cache.enabled = cache;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storefront_read_takes_one_statement_when_cached_and_four_when_not() {
    let _turn = turn().lock().await;
    let app = app_logging_statements(true).await;
    shop(&app).await;
    let path = "/api/v1/public/storefronts/acme-gifts";

    let (first, rendering) = statements_of(async || app.get(path).await).await;
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        rendering.len(),
        4,
        "row, offering, products, variants: {rendering:#?}"
    );

    let (again, cached) = statements_of(async || app.get(path).await).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), first.text().await.unwrap());
    assert_eq!(cached.len(), 1, "the row's version only: {cached:#?}");

    let weak = format!("W/{etag}");
    let (revalidated, checked) = statements_of(async || {
        app.client
            .get(app.url(path))
            .header("if-none-match", format!("\"other\", {weak}"))
            .send()
            .await
            .unwrap()
    })
    .await;
    assert_eq!(revalidated.status(), 304, "a weak tag in a list matches");
    assert_eq!(checked.len(), 1, "{checked:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_cache_off_every_read_renders_in_four_statements() {
    let _turn = turn().lock().await;
    let app = app_logging_statements(false).await;
    shop(&app).await;
    let path = "/api/v1/public/storefronts/acme-gifts";
    for _ in 0..2 {
        let (read, statements) = statements_of(async || app.get(path).await).await;
        assert_eq!(read.status(), 200);
        assert_eq!(statements.len(), 4, "{statements:#?}");
    }
}

/// Two lines (the same hamper, engraved two ways) for two recipients.
fn two_by_two(variant: &str) -> Value {
    json!({
        "customer": {"name": "Carol Buyer", "email": "carol@example.com"},
        "items": [
            {"variant_id": variant, "quantity": 1, "customisation": {"Engraving": "Cheers"}},
            {"variant_id": variant, "quantity": 2, "customisation": {"Engraving": "Thanks"}}
        ],
        "recipients": [
            {"name": "Dan Direct", "email": "dan@example.com", "delivery_method": "deliver_direct", "address": sydney()},
            {"name": "Eve Email", "email": "eve@example.com", "delivery_method": "email_link"}
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_of_two_lines_for_two_recipients_takes_at_most_twelve_statements() {
    let _turn = turn().lock().await;
    let app = app_logging_statements(true).await;
    let shop = shop(&app).await;
    let body = two_by_two(&shop.variant);

    let (placed, statements) =
        statements_of(async || post_order(&app, Some("count-1"), &body).await).await;
    assert_eq!(placed.status(), 201);
    let is_transaction_control = |statement: &String| {
        let word = statement.trim_start_matches('"').to_uppercase();
        ["BEGIN", "COMMIT", "START TRANSACTION"]
            .iter()
            .any(|control| word.starts_with(control))
    };
    let work: Vec<&String> = statements
        .iter()
        .filter(|s| !is_transaction_control(s))
        .collect();
    // The drivers log BEGIN and COMMIT unevenly (MariaDB both, PostgreSQL only COMMIT,
    // SQLite neither), so they are counted as the one transaction's two.
    let control = statements.len() - work.len();
    assert!(control <= 2, "one transaction: {statements:#?}");
    assert!(
        work.len() + 2 <= 12,
        "{} statements besides the transaction's BEGIN and COMMIT: {statements:#?}",
        work.len()
    );

    let (replayed, replay) =
        statements_of(async || post_order(&app, Some("count-1"), &body).await).await;
    assert_eq!(replayed.status(), 201);
    assert_eq!(
        replay.len(),
        3,
        "storefront, key taken, stored answer: {replay:#?}"
    );
    app.run_jobs().await;
}
