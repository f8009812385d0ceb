//! `just bench-storefront`: requests per second and latency of the public storefront read
//! for a 500-product storefront, fresh (200) and revalidated (304), on the database
//! `TEST_DATABASE_URL` names (SQLite when unset). Prints figures; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use secrecy::SecretString;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use trove_api::Application;
use trove_bootstrap::Settings;
use trove_data_access::products::{self, NewVariant, ProductFields};
use trove_data_access::storefronts::{self, StorefrontFields};
use trove_data_access::testing::TestDatabase;
use trove_data_access::users;
use trove_domain::money::{Currency, Money};
use trove_domain::product::ProductStatus;
use trove_domain::storefront::StorefrontStatus;

const PRODUCTS: usize = 500;
const CLIENTS: usize = 8;
const RUN: Duration = Duration::from_secs(5);

async fn seed(database: &TestDatabase) {
    let db = &database.db;
    let owner = users::upsert_from_token(db, "bench|owner", "owner@example.com")
        .await
        .unwrap();
    let vendor = trove_data_access::vendors::create_with_owner(db, "Bench", None, owner.id.into())
        .await
        .unwrap();
    let vendor = vendor.id.into();
    let shop = storefronts::create(
        db,
        vendor,
        StorefrontFields {
            slug: "bench-shop".into(),
            custom_domain: None,
            name: "Bench".into(),
            delivery_methods_json: r#"["email_link"]"#.into(),
            fee_transfer_mode: trove_domain::storefront::FeeTransferMode::None,
            gift_notes: true,
            show_stock: true,
            branding_json: "{}".into(),
            content_json: "{}".into(),
        },
    )
    .await
    .unwrap();
    storefronts::set_status(db, shop.clone(), StorefrontStatus::Active)
        .await
        .unwrap();
    let mut items = Vec::with_capacity(PRODUCTS);
    for n in 0..PRODUCTS {
        let created = products::create(
            db,
            vendor,
            ProductFields {
                title: format!("Gift {n}"),
                description: Some("A considered gift.".into()),
                status: ProductStatus::Active,
                attributes_json: r#"{"colour":"red"}"#.into(),
                customisation_json: "[]".into(),
                image_ids_json: "[]".into(),
                variants: (0..2)
                    .map(|v| NewVariant {
                        sku: format!("SKU-{n}-{v}"),
                        title: Some(format!("Size {v}")),
                        price: Money {
                            minor: 2500 + v,
                            currency: Currency::parse("AUD").unwrap(),
                        },
                        stock: Some(10),
                        weight_grams: None,
                    })
                    .collect(),
            },
        )
        .await
        .unwrap();
        items.push((created.product.id, None));
    }
    storefronts::set_offering(db, vendor, shop.id, &items)
        .await
        .unwrap();
}

async fn hammer(url: &str, etag: Option<&str>) -> (u64, Vec<Duration>) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + RUN;
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, etag) = (client.clone(), url.to_owned(), etag.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                let mut request = client.get(&url);
                if let Some(etag) = &etag {
                    request = request.header("if-none-match", etag);
                }
                let response = request.send().await.unwrap();
                let _ = response.bytes().await.unwrap();
                latencies.push(started.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort();
    (all.len() as u64, all)
}

fn report(label: &str, (count, latencies): (u64, Vec<Duration>)) {
    let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!(
        "{label}: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms ({CLIENTS} clients, {PRODUCTS} products)",
        count as f64 / RUN.as_secs_f64(),
        pick(0.5).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0
    );
}

#[tokio::main]
async fn main() {
    let database = TestDatabase::create().await;
    seed(&database).await;
    let mut settings = Settings::default();
    settings.server.port = 0;
    settings.database.url = SecretString::from(database.url.clone());
    settings.rate_limit.enabled = false;
    settings.log.level = "warn".into();
    settings.auth.signing_key = Some(SecretString::from(
        trove_api::auth::signing::generate_key().unwrap(),
    ));
    settings.mail.outbox_dir = std::env::temp_dir()
        .join("trove-bench-outbox")
        .display()
        .to_string();
    let application = Application::build(&settings).await.unwrap();
    let url = format!(
        "http://127.0.0.1:{}/api/v1/public/storefronts/bench-shop",
        application.port()
    );
    let shutdown = CancellationToken::new();
    tokio::spawn(application.run_until_stopped(shutdown.clone()));

    let first = reqwest::get(&url).await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    println!(
        "public storefront on {:?}: {} KiB per response",
        database.backend(),
        first.bytes().await.unwrap().len() / 1024
    );
    report("fresh (200)", hammer(&url, None).await);
    report("revalidated (304)", hammer(&url, Some(&etag)).await);
    shutdown.cancel();
}
