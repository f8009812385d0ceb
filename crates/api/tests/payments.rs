//! Card payments against a local stand-in that speaks Stripe's wire format: checkout with
//! the platform fee as application fee, the paid transition raced between the webhook and
//! the shopper's confirmation, refunds with the fee given back in proportion, payouts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use support::fake_stripe::FakeStripe;
use support::payments::{self, connect, deliver_signed, processed, spawn};
use support::shop::{Shop, checkout, post_order, shop};
use support::{TestApp, assert_jobs_ran, error_body, json_of};
use trove_api::auth::TokenType;
use trove_data_access::entities::{order_event, stripe_event};
use trove_data_access::{members, users};
use trove_domain::ids::{UserId, VendorId};
use trove_domain::vendor::VendorRole;

async fn order_of(app: &TestApp, vendor: &str, owner: &str, id: &str) -> Value {
    json_of(
        app.get_as(&format!("/api/v1/vendors/{vendor}/orders/{id}"), owner)
            .await,
    )
    .await
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
        ..
    } = shop;
    let intent = placed["card_payment"]["payment_intent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let payload = payments::event(
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
    let declined = payments::event(
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
    let succeeded = payments::event(
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
    let same = payments::event(
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
    let whole = payments::event(
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
    let unknown = payments::event(
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
    assert_jobs_ran(&app).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_read_the_payment_status_but_only_owners_move_money_or_the_connection() {
    let PaidOrder {
        app,
        fake,
        vendor,
        order,
        ..
    } = paid_order().await;
    let user = users::upsert_from_token(&app.database.db, "dev|sam@example.com", "sam@example.com")
        .await
        .unwrap();
    let vendor_id = VendorId::from(uuid::Uuid::parse_str(&vendor).unwrap());
    members::add(
        &app.database.db,
        vendor_id,
        UserId::from(user.id),
        VendorRole::Staff,
    )
    .await
    .unwrap();
    let sam = app.token(TokenType::Vendor, "sam@example.com");
    let base = format!("/api/v1/vendors/{vendor}");

    let status = app.get_as(&format!("{base}/payments/account"), &sam).await;
    assert_eq!(status.status(), 200);
    assert_eq!(json_of(status).await["status"], "enabled");
    let order_id = order["id"].as_str().unwrap();
    for (method, path) in [
        (Method::POST, format!("{base}/orders/{order_id}/refunds")),
        (Method::DELETE, format!("{base}/payments/account")),
        (Method::POST, format!("{base}/payments/account/links")),
        (Method::POST, format!("{base}/payments/account/oauth")),
        (Method::GET, format!("{base}/payments/payouts")),
    ] {
        let refused = app.call(method.clone(), &path, &sam, Some(json!({}))).await;
        error_body(refused, 403, "forbidden").await;
    }
    assert!(fake.requests_to("POST", "/v1/refunds").is_empty());
    assert!(fake.requests_to("GET", "/v1/payouts").is_empty());
    let still = order_of(
        &app,
        &vendor,
        &app.token(TokenType::Admin, "root@trove.example"),
        order_id,
    )
    .await;
    assert_eq!(still["refunded_minor"], 0);
}
