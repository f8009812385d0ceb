//! A card checkout waits on Stripe with no transaction open: while the stand-in Stripe
//! takes ten seconds to create a PaymentIntent, another storefront's bank-transfer
//! checkout goes through at once (on SQLite a held write lock would stall it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::fake_stripe::FakeStripe;
use support::payments::connect;
use support::shop::{checkout, post_order_to, shop_named};
use support::{TestApp, assert_jobs_ran, json_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_stripe_does_not_hold_up_another_storefronts_bank_transfer_checkout() {
    let fake = FakeStripe::start().await;
    let app = TestApp::spawn_with(|settings| {
        fake.configure(settings);
        settings.stripe.timeout_seconds = 30;
    })
    .await;
    let card_shop = shop_named(&app, "card-gifts", "cara@example.com").await;
    connect(&app, &fake, &card_shop.vendor, &card_shop.ann).await;
    let bank_shop = shop_named(&app, "bank-gifts", "bea@example.com").await;
    let bank_body = checkout(&bank_shop.variant);
    assert_eq!(
        post_order_to(&app, "bank-gifts", Some("warm-up"), &bank_body)
            .await
            .status(),
        201
    );

    fake.delay_next(Duration::from_secs(10));
    let mut card_body = checkout(&card_shop.variant);
    card_body["payment_method"] = json!("card");
    let card_app = app.client.clone();
    let card_url = app.url("/api/v1/public/storefronts/card-gifts/orders");
    let card = tokio::spawn(async move {
        card_app
            .post(card_url)
            .header("idempotency-key", "slow-card")
            .json(&card_body)
            .send()
            .await
            .unwrap()
    });
    while fake.requests_to("POST", "/v1/payment_intents").is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let started = Instant::now();
    let bank = post_order_to(&app, "bank-gifts", Some("during-slow-card"), &bank_body).await;
    let took = started.elapsed();
    assert_eq!(bank.status(), 201, "{:?}", bank.text().await);
    assert!(
        took < Duration::from_secs(1),
        "the bank-transfer checkout took {took:?} while Stripe was slow"
    );
    assert!(
        !card.is_finished(),
        "the card checkout should still be waiting on Stripe"
    );

    let card = card.await.unwrap();
    assert_eq!(card.status(), 201);
    let placed = json_of(card).await;
    assert!(placed["card_payment"]["client_secret"].as_str().is_some());
    assert_jobs_ran(&app).await;
}
