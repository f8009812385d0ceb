//! Stripe Connect against a local stand-in that speaks Stripe's wire format: onboarding
//! (Express and OAuth), card checkout with the platform fee as application fee, the paid
//! transition raced between the webhook and the shopper's confirmation, refunds with the
//! fee given back in proportion, payouts, and webhook signatures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::Duration;
use support::fake_stripe::{self, FakeStripe, OAUTH_ACCOUNT, OAUTH_CODE, WEBHOOK_SECRET};
use support::shop::{Shop, checkout, post_order, shop};
use support::{TestApp, error_body, json_of};
use trove_api::auth::TokenType;
use trove_data_access::entities::{job, order_event, stripe_event};

async fn spawn(fake: &FakeStripe) -> TestApp {
    let app = TestApp::spawn_with(|settings| fake.configure(settings)).await;
    app.start_worker().await;
    app
}

async fn deliver(app: &TestApp, payload: &str, signature: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/webhooks/stripe"))
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(payload.to_owned())
        .send()
        .await
        .unwrap()
}

async fn deliver_signed(app: &TestApp, payload: &str) -> reqwest::Response {
    let signature =
        fake_stripe::signature(&[WEBHOOK_SECRET], chrono::Utc::now().timestamp(), payload);
    deliver(app, payload, &signature).await
}

/// Waits until the worker has applied the stored event `id`; returns its outcome.
async fn processed(app: &TestApp, id: &str) -> String {
    for _ in 0..200 {
        let row = stripe_event::Entity::find_by_id(id)
            .one(&app.database.db)
            .await
            .unwrap();
        if let Some(outcome) = row.and_then(|row| row.processed_at.and(row.outcome)) {
            return outcome;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("event {id} was not processed");
}

/// Connects the shop's vendor through an Express account that Stripe then enables
/// (`account.updated`). Returns the account id.
async fn connect(app: &TestApp, fake: &FakeStripe, vendor: &str, owner: &str) -> String {
    let created = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/payments/account"),
            owner,
            Some(json!({"country": "AU"})),
        )
        .await;
    assert_eq!(created.status(), 201);
    let account = json_of(created).await["account"]["stripe_account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let event_id = format!("evt_enable_{account}");
    let payload = fake_stripe::event(
        &event_id,
        "account.updated",
        fake.enable_account(&account),
        Some(&account),
    );
    assert_eq!(deliver_signed(app, &payload).await.status(), 200);
    processed(app, &event_id).await;
    account
}

async fn order_of(app: &TestApp, vendor: &str, owner: &str, id: &str) -> Value {
    json_of(
        app.get_as(&format!("/api/v1/vendors/{vendor}/orders/{id}"), owner)
            .await,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_onboards_with_an_express_account_or_connects_an_existing_one() {
    let fake = FakeStripe::start().await;
    let app = spawn(&fake).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let base = format!("/api/v1/vendors/{vendor}/payments");

    let status = json_of(app.get_as(&format!("{base}/account"), &ann).await).await;
    assert_eq!(status["status"], "not_connected");
    assert_eq!(status["can_accept_payments"], false);

    // Stripe down: 503, and the retry reaches the same account through the same key.
    fake.fail_next(1, 500);
    let failed = app
        .call(
            Method::POST,
            &format!("{base}/account"),
            &ann,
            Some(json!({"country": "AU"})),
        )
        .await;
    error_body(failed, 503, "service_unavailable").await;
    let created = app
        .call(
            Method::POST,
            &format!("{base}/account"),
            &ann,
            Some(json!({"country": "AU"})),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created = json_of(created).await;
    let account = created["account"]["stripe_account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created["account"]["status"], "pending");
    assert_eq!(created["account"]["kind"], "express");
    assert_eq!(
        created["account"]["requirements_due"],
        json!(["external_account", "tos_acceptance.date"])
    );
    assert!(
        created["onboarding"]["url"]
            .as_str()
            .unwrap()
            .contains(&account)
    );
    let creations = fake.requests_to("POST", "/v1/accounts");
    assert_eq!(creations.len(), 2);
    assert_eq!(creations[0].idempotency_key, creations[1].idempotency_key);
    assert!(
        creations[0]
            .idempotency_key
            .as_deref()
            .unwrap()
            .starts_with("trove:connect-account:")
    );
    let form = &creations[1].form;
    assert_eq!(form["type"], "express");
    assert_eq!(form["country"], "AU");
    assert_eq!(form["capabilities[transfers][requested]"], "true");
    assert_eq!(form["capabilities[card_payments][requested]"], "true");
    assert_eq!(form["metadata[vendor_id]"], vendor);
    let link = &fake.requests_to("POST", "/v1/account_links")[0].form;
    assert_eq!(link["account"], account);
    assert_eq!(link["type"], "account_onboarding");
    assert!(link["return_url"].starts_with("http"));

    let again = app
        .call(Method::POST, &format!("{base}/account"), &ann, None)
        .await;
    error_body(again, 409, "already_connected").await;
    let refreshed = app
        .call(Method::POST, &format!("{base}/account/links"), &ann, None)
        .await;
    assert_eq!(refreshed.status(), 201);
    let links = fake.requests_to("POST", "/v1/account_links");
    assert_eq!(links.len(), 2);
    assert_ne!(links[0].idempotency_key, links[1].idempotency_key);

    // Another vendor's owner sees nothing of it.
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    app.create_vendor(&bob, "Bobs").await;
    error_body(
        app.get_as(&format!("{base}/account"), &bob).await,
        404,
        "not_found",
    )
    .await;
    error_body(
        app.call(Method::DELETE, &format!("{base}/account"), &bob, None)
            .await,
        404,
        "not_found",
    )
    .await;

    // Stripe enables the account: the status and the vendor's onboarding follow.
    let payload = fake_stripe::event(
        "evt_acct_1",
        "account.updated",
        fake.enable_account(&account),
        Some(&account),
    );
    assert_eq!(deliver_signed(&app, &payload).await.status(), 200);
    assert!(processed(&app, "evt_acct_1").await.contains("enabled"));
    let status = json_of(app.get_as(&format!("{base}/account"), &ann).await).await;
    assert_eq!(status["status"], "enabled");
    assert_eq!(status["can_accept_payments"], true);
    assert_eq!(status["capabilities"]["transfers"], "active");
    let onboarding = json_of(
        app.get_as(&format!("/api/v1/vendors/{vendor}/onboarding"), &ann)
            .await,
    )
    .await;
    assert_eq!(onboarding["status"], "live");

    // Reset, then connect an existing account through Connect OAuth.
    let reset = app
        .call(Method::DELETE, &format!("{base}/account"), &ann, None)
        .await;
    assert_eq!(reset.status(), 204);
    let status = json_of(app.get_as(&format!("{base}/account"), &ann).await).await;
    assert_eq!(status["status"], "not_connected");
    let start = json_of(
        app.call(Method::POST, &format!("{base}/account/oauth"), &ann, None)
            .await,
    )
    .await;
    let url = reqwest::Url::parse(start["authorize_url"].as_str().unwrap()).unwrap();
    assert!(url.path().ends_with("/oauth/authorize"));
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "ca_trove_fake");
    assert_eq!(query["scope"], "read_write");
    let state = &query["state"];

    let callback = |code: &str| {
        app.client
            .post(app.url(&format!(
                "/api/v1/payments/oauth/callback?state={state}&code={code}"
            )))
            .send()
    };
    let connected = callback(OAUTH_CODE).await.unwrap();
    assert_eq!(connected.status(), 200);
    let connected = json_of(connected).await;
    assert_eq!(connected["stripe_account_id"], OAUTH_ACCOUNT);
    assert_eq!(connected["kind"], "standard");
    assert_eq!(connected["status"], "enabled");
    let token = &fake.requests_to("POST", "/connect/oauth/token")[0].form;
    assert_eq!(token["grant_type"], "authorization_code");
    assert_eq!(token["code"], OAUTH_CODE);
    // The state is spent.
    error_body(callback(OAUTH_CODE).await.unwrap(), 401, "invalid_token").await;
}

struct PaidOrder {
    app: TestApp,
    fake: FakeStripe,
    vendor: String,
    owner: String,
    variant: String,
    order: Value,
    intent: String,
}

/// A three-recipient card order on a `half` fee storefront, placed (not paid yet):
/// the app, the fake, the shop, the vendor's account id and the placed order.
async fn card_order() -> (TestApp, FakeStripe, Shop, String, Value) {
    let fake = FakeStripe::start().await;
    let app = spawn(&fake).await;
    let shop = shop(&app).await;
    let account = connect(&app, &fake, &shop.vendor, &shop.ann).await;
    let mut body = checkout(&shop.variant);
    body["payment_method"] = json!("card");
    let placed = post_order(&app, Some("card-order-1"), &body).await;
    assert_eq!(placed.status(), 201);
    let placed = json_of(placed).await;
    (app, fake, shop, account, placed)
}

async fn paid_order() -> PaidOrder {
    let (app, fake, shop, _, placed) = card_order().await;
    let Shop {
        vendor,
        variant,
        ann: owner,
    } = shop;
    let intent = placed["card_payment"]["payment_intent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let payload = fake_stripe::event(
        "evt_paid",
        "payment_intent.succeeded",
        fake.succeed(&intent),
        None,
    );
    assert_eq!(deliver_signed(&app, &payload).await.status(), 200);
    processed(&app, "evt_paid").await;
    let order = order_of(&app, &vendor, &owner, placed["id"].as_str().unwrap()).await;
    assert_eq!(order["status"], "paid");
    PaidOrder {
        app,
        fake,
        vendor,
        owner,
        variant,
        order,
        intent,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_order_charges_the_vendor_with_the_fee_and_is_paid_exactly_once() {
    let (app, fake, shop, account, placed) = card_order().await;
    let Shop {
        vendor, ann: owner, ..
    } = shop;
    let quote = &placed["quote"];
    // 3 × 45.00 + shipping 9.90 + 15.00 + 15.00 = 174.90; fee 5 % = 8.75, half (4.37) charged.
    assert_eq!(quote["total_minor"], 17_927);
    assert_eq!(quote["platform_fee_minor"], 875);
    assert_eq!(placed["status"], "created");
    let intent = placed["card_payment"]["payment_intent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        placed["card_payment"]["client_secret"],
        format!("{intent}_secret_fake")
    );

    let requests = fake.requests_to("POST", "/v1/payment_intents");
    assert_eq!(requests.len(), 1);
    let order_id = placed["id"].as_str().unwrap();
    let sent = &requests[0];
    assert_eq!(sent.form["amount"], "17927");
    assert_eq!(sent.form["currency"], "aud");
    assert_eq!(sent.form["application_fee_amount"], "875");
    assert_eq!(sent.form["transfer_data[destination]"], account);
    assert_eq!(sent.form["metadata[order_id]"], order_id);
    assert_eq!(
        sent.idempotency_key.as_deref(),
        Some(format!("trove:order:{order_id}:payment-intent").as_str())
    );

    // A declined attempt is recorded; the order waits.
    let declined = fake_stripe::event(
        "evt_declined",
        "payment_intent.payment_failed",
        fake.decline(&intent),
        None,
    );
    assert_eq!(deliver_signed(&app, &declined).await.status(), 200);
    processed(&app, "evt_declined").await;
    let order = order_of(&app, &vendor, &owner, order_id).await;
    assert_eq!(order["status"], "created");
    assert_eq!(
        order["payment_failure"],
        "Your card has insufficient funds."
    );

    // The retry succeeds: the webhook arrives three times, raced with the shopper's call.
    let succeeded = fake_stripe::event(
        "evt_succeeded",
        "payment_intent.succeeded",
        fake.succeed(&intent),
        None,
    );
    let confirm = app
        .client
        .post(app.url(&format!("/api/v1/public/orders/{order_id}/card-payment")))
        .json(&json!({"payment_intent_id": intent}))
        .send();
    let (a, b, c, confirmed) = tokio::join!(
        deliver_signed(&app, &succeeded),
        deliver_signed(&app, &succeeded),
        deliver_signed(&app, &succeeded),
        confirm
    );
    let mut duplicates = 0;
    for response in [a, b, c] {
        assert_eq!(response.status(), 200);
        duplicates += usize::from(json_of(response).await["duplicate"] == true);
    }
    assert_eq!(
        duplicates, 2,
        "one delivery stored, two acknowledged as duplicates"
    );
    let confirmed = confirmed.unwrap();
    assert_eq!(confirmed.status(), 200);
    let confirmed = json_of(confirmed).await;
    assert_eq!(confirmed["status"], "paid");
    assert_eq!(confirmed["payment_status"], "succeeded");
    assert!(processed(&app, "evt_succeeded").await.contains("order"));

    let db = &app.database.db;
    let paid_events = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(uuid::Uuid::parse_str(order_id).unwrap()))
        .filter(order_event::Column::ToStatus.eq("paid"))
        .count(db)
        .await
        .unwrap();
    assert_eq!(paid_events, 1, "paid exactly once");
    let shipped = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(uuid::Uuid::parse_str(order_id).unwrap()))
        .filter(order_event::Column::ToStatus.eq("address_confirmed"))
        .count(db)
        .await
        .unwrap();
    assert_eq!(
        shipped, 1,
        "the direct recipient is readied for shipping once"
    );
    let stored = stripe_event::Entity::find()
        .filter(stripe_event::Column::Id.eq("evt_succeeded"))
        .count(db)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let order = order_of(&app, &vendor, &owner, order_id).await;
    assert_eq!(order["payment_failure"], Value::Null);
    assert_eq!(order["payment_intent_id"], intent.as_str());

    // Paying by hand is refused for a card order.
    let by_hand = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/orders/{order_id}/status"),
            &owner,
            Some(json!({"status": "paid"})),
        )
        .await;
    assert_eq!(by_hand.status(), 409);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_refund_gives_back_the_fee_in_proportion_and_the_webhook_reconciles() {
    let PaidOrder {
        app,
        fake,
        vendor,
        owner,
        order,
        intent,
        ..
    } = paid_order().await;
    let order_id = order["id"].as_str().unwrap();
    let refunds = format!("/api/v1/vendors/{vendor}/orders/{order_id}/refunds");

    let too_much = app
        .call(
            Method::POST,
            &refunds,
            &owner,
            Some(json!({"amount_minor": 17_928})),
        )
        .await;
    let body = error_body(too_much, 422, "validation_failed").await;
    assert!(
        body["details"].to_string().contains("amount_minor"),
        "{body}"
    );

    let refunded = app
        .call(
            Method::POST,
            &refunds,
            &owner,
            Some(json!({"amount_minor": 5_000, "reason": "one hamper damaged"})),
        )
        .await;
    let status = refunded.status();
    let refunded = json_of(refunded).await;
    assert_eq!(status, 201, "{refunded}");
    // 875 × 5000 / 17927 = 244.05 → 244
    assert_eq!(refunded["fee_refunded_minor"], 244);
    assert_eq!(refunded["status"], "succeeded");
    let sent = &fake.requests_to("POST", "/v1/refunds")[0];
    assert_eq!(sent.form["payment_intent"], intent);
    assert_eq!(sent.form["amount"], "5000");
    assert_eq!(sent.form["refund_application_fee"], "true");
    assert_eq!(sent.form["reverse_transfer"], "true");
    assert_eq!(
        sent.idempotency_key.as_deref(),
        Some(format!("trove:refund:{order_id}:0:5000").as_str())
    );

    let after = order_of(&app, &vendor, &owner, order_id).await;
    assert_eq!(after["status"], "paid");
    assert_eq!(after["refunded_minor"], 5_000);
    assert_eq!(after["fee_refunded_minor"], 244);

    // Stripe's charge.refunded for the same refund changes nothing.
    let same = fake_stripe::event(
        "evt_refund_1",
        "charge.refunded",
        fake.charge(&intent, 5_000),
        None,
    );
    assert_eq!(deliver_signed(&app, &same).await.status(), 200);
    processed(&app, "evt_refund_1").await;
    let after = order_of(&app, &vendor, &owner, order_id).await;
    assert_eq!(after["refunded_minor"], 5_000);
    let listed = json_of(app.get_as(&refunds, &owner).await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // The rest refunded at Stripe's dashboard: the webhook reconciles the whole order.
    let whole = fake_stripe::event(
        "evt_refund_2",
        "charge.refunded",
        fake.charge(&intent, 17_927),
        None,
    );
    assert_eq!(deliver_signed(&app, &whole).await.status(), 200);
    processed(&app, "evt_refund_2").await;
    let after = order_of(&app, &vendor, &owner, order_id).await;
    assert_eq!(after["refunded_minor"], 17_927);
    assert_eq!(after["fee_refunded_minor"], 875);
    assert_eq!(after["status"], "refunded");
    let nothing_left = app
        .call(Method::POST, &refunds, &owner, Some(json!({})))
        .await;
    assert_eq!(nothing_left.status(), 409);

    // An unknown event type is kept and acknowledged.
    let unknown = fake_stripe::event(
        "evt_unknown",
        "customer.created",
        json!({"id": "cus_1", "object": "customer"}),
        None,
    );
    assert_eq!(deliver_signed(&app, &unknown).await.status(), 200);
    assert_eq!(
        processed(&app, "evt_unknown").await,
        "ignored: customer.created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payouts_come_from_the_connected_account_and_bank_orders_are_not_refunded_by_card() {
    let PaidOrder {
        app,
        fake,
        vendor,
        owner,
        variant,
        ..
    } = paid_order().await;
    let payouts = app
        .get_as(
            &format!("/api/v1/vendors/{vendor}/payments/payouts?limit=3"),
            &owner,
        )
        .await;
    assert_eq!(payouts.status(), 200);
    let payouts = json_of(payouts).await;
    assert_eq!(
        payouts["available"],
        json!([{"amount_minor": 12_345, "currency": "AUD"}])
    );
    assert_eq!(payouts["payouts"].as_array().unwrap().len(), 3);
    assert_eq!(payouts["payouts"][0]["status"], "in_transit");
    assert_eq!(payouts["has_more"], true);
    let account = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{vendor}/payments/account"),
            &owner,
        )
        .await,
    )
    .await;
    let listed = &fake.requests_to("GET", "/v1/payouts")[0];
    assert_eq!(
        listed.stripe_account.as_deref(),
        account["stripe_account_id"].as_str()
    );
    assert_eq!(
        fake.requests_to("GET", "/v1/balance")[0].stripe_account,
        listed.stripe_account
    );
    let bad = app
        .get_as(
            &format!("/api/v1/vendors/{vendor}/payments/payouts?limit=500"),
            &owner,
        )
        .await;
    error_body(bad, 422, "validation_failed").await;

    // A bank-transfer order has no card payment to refund.
    let bank = json_of(post_order(&app, Some("bank-1"), &checkout(&variant)).await).await;
    let refused = app
        .call(
            Method::POST,
            &format!(
                "/api/v1/vendors/{vendor}/orders/{}/refunds",
                bank["id"].as_str().unwrap()
            ),
            &owner,
            Some(json!({})),
        )
        .await;
    assert_eq!(refused.status(), 409);
    assert!(fake.requests_to("POST", "/v1/refunds").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_need_a_fresh_signature_under_a_current_secret() {
    let fake = FakeStripe::start().await;
    let app = TestApp::spawn_with(|settings| {
        fake.configure(settings);
        settings.stripe.webhook_secret_previous =
            Some(secrecy::SecretString::from("whsec_trove_old"));
    })
    .await;
    let payload = fake_stripe::event("evt_sig", "customer.created", json!({"id": "cus_1"}), None);
    let now = chrono::Utc::now().timestamp();

    let unsigned = app
        .client
        .post(app.url("/api/v1/webhooks/stripe"))
        .body(payload.clone())
        .send()
        .await
        .unwrap();
    error_body(unsigned, 400, "invalid_signature").await;
    let wrong = fake_stripe::signature(&["whsec_someone_else"], now, &payload);
    error_body(
        deliver(&app, &payload, &wrong).await,
        400,
        "invalid_signature",
    )
    .await;
    let stale = fake_stripe::signature(&[WEBHOOK_SECRET], now - 301, &payload);
    let body = error_body(
        deliver(&app, &payload, &stale).await,
        400,
        "invalid_signature",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("tolerance"),
        "{body}"
    );
    let tampered = fake_stripe::signature(&[WEBHOOK_SECRET], now, &payload);
    let other = payload.replace("cus_1", "cus_2");
    error_body(
        deliver(&app, &other, &tampered).await,
        400,
        "invalid_signature",
    )
    .await;
    let stored = stripe_event::Entity::find()
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing stored for a bad signature");

    // During a rotation Stripe signs with both secrets; either configured secret verifies.
    let both = fake_stripe::signature(&["whsec_trove_unknown", WEBHOOK_SECRET], now, &payload);
    assert_eq!(deliver(&app, &payload, &both).await.status(), 200);
    let old = fake_stripe::event("evt_old", "customer.created", json!({"id": "cus_3"}), None);
    let by_old = fake_stripe::signature(&["whsec_trove_old"], now, &old);
    assert_eq!(deliver(&app, &old, &by_old).await.status(), 200);
    let jobs = job::Entity::find()
        .filter(job::Column::Kind.eq("process_stripe_event"))
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(jobs, 2);

    let not_an_event = "{\"hello\": true}";
    let signed = fake_stripe::signature(&[WEBHOOK_SECRET], now, not_an_event);
    error_body(
        deliver(&app, not_an_event, &signed).await,
        400,
        "invalid_event",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_checkout_needs_an_enabled_account_and_a_stripe_outage_keeps_no_order() {
    let fake = FakeStripe::start().await;
    let app = spawn(&fake).await;
    let shop = shop(&app).await;
    let mut body = checkout(&shop.variant);
    body["payment_method"] = json!("card");

    let refused = error_body(
        post_order(&app, None, &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(
        refused["details"]
            .to_string()
            .contains("does not take card payments"),
        "{refused}"
    );
    connect(&app, &fake, &shop.vendor, &shop.ann).await;

    fake.fail_next(1, 503);
    let failed = post_order(&app, Some("card-retry"), &body).await;
    error_body(failed, 503, "service_unavailable").await;
    let orders = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{}/orders", shop.vendor),
            &shop.ann,
        )
        .await,
    )
    .await;
    assert_eq!(
        orders["total"], 0,
        "no order kept without its PaymentIntent"
    );

    let placed = post_order(&app, Some("card-retry"), &body).await;
    assert_eq!(placed.status(), 201);
    let placed = json_of(placed).await;
    assert!(placed["card_payment"]["client_secret"].is_string());
    let replayed = json_of(post_order(&app, Some("card-retry"), &body).await).await;
    assert_eq!(replayed["card_payment"], placed["card_payment"]);
    let created = fake.requests_to("POST", "/v1/payment_intents");
    assert_eq!(
        created.len(),
        2,
        "the failed attempt and the retry; the replay asks nothing"
    );
}
