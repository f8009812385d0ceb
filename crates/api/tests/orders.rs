//! Guest checkout and the vendor's side of orders: quotes, idempotent order creation,
//! validation naming every problem, the lifecycle with its event log, and isolation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use support::shop::{checkout, post_order, shop};
use support::{TestApp, assert_jobs_ran, error_body, json_of};
use trove_api::auth::TokenType;
use trove_data_access::entities::job;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_prices_per_recipient_and_an_order_is_created_once_per_key() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let body = checkout(&shop.variant);

    let quote = app
        .client
        .post(app.url("/api/v1/public/storefronts/acme-gifts/quote"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(quote.status(), 200);
    let quote = json_of(quote).await;
    // 3 × 45.00 items; shipping 9.90 (metro) + 15.00 (no address: the highest rate) +
    // 15.00 (Perth); fee 5 % of 17 490 = 874.5 → 875, the shopper pays half (437).
    assert_eq!(quote["items_minor"], 13_500);
    assert_eq!(quote["shipping_minor"], 990 + 1_500 + 1_500);
    assert_eq!(quote["platform_fee_minor"], 875);
    assert_eq!(quote["fee_charged_minor"], 437);
    assert_eq!(quote["total_minor"], 13_500 + 3_990 + 437);
    assert_eq!(quote["recipients"][0]["zone"], "Sydney metro");
    assert!(quote["recipients"][1]["zone"].is_null());
    assert_eq!(quote["lines"][0]["unit_price_minor"], 4_500);

    let first = post_order(&app, Some("order-key-1"), &body).await;
    assert_eq!(first.status(), 201);
    let placed = json_of(first).await;
    assert_eq!(placed["status"], "created");
    assert_eq!(placed["quote"], quote, "the order is priced as quoted");
    let again = post_order(&app, Some("order-key-1"), &body).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json_of(again).await, placed);
    let mut changed = body.clone();
    changed["customer"]["name"] = json!("Someone Else");
    error_body(
        post_order(&app, Some("order-key-1"), &changed).await,
        422,
        "idempotency_key_reused",
    )
    .await;
    error_body(
        post_order(&app, Some("bad key with spaces"), &body).await,
        400,
        "invalid_idempotency_key",
    )
    .await;

    let orders = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{}/orders", shop.vendor),
            &shop.ann,
        )
        .await,
    )
    .await;
    assert_eq!(orders["total"], 1, "one order for one key");
    let invoices = job::Entity::find()
        .filter(job::Column::Kind.eq("send_email"))
        .filter(job::Column::Payload.contains("order_invoice"))
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(invoices, 1, "one invoice email for one order");
    assert_jobs_ran(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_checkout_names_every_problem_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let body = json!({
        "customer": {"name": "", "email": "not-an-email"},
        "items": [
            {"variant_id": shop.variant, "quantity": 1, "customisation": {"Colour": "red"}},
            {"variant_id": uuid::Uuid::now_v7(), "quantity": 1}
        ],
        "recipients": [
            {"name": "Nia", "email": "nia@example.com", "delivery_method": "deliver_direct"},
            {"name": "Oz", "email": "oz@example.com", "delivery_method": "deliver_direct",
             "address": {"line1": "1 Queen St", "city": "Auckland", "postcode": "1010", "country": "NZ"}},
            {"name": "Pat", "email": "pat@example.com", "delivery_method": "email_link", "send_on": "2020-01-01"}
        ]
    });
    let refused = error_body(
        post_order(&app, None, &body).await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = refused["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["field"].as_str().unwrap())
        .collect();
    for expected in [
        "customer.email",
        "customer.name",
        "items[0].customisation",
        "items[1].variant_id",
        "recipients[0].address",
        "recipients[1].address",
        "recipients[2].send_on",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {refused}"
        );
    }
    let uncovered = refused["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|problem| problem["field"] == "recipients[1].address")
        .unwrap();
    assert!(
        uncovered["message"].as_str().unwrap().contains("NZ"),
        "{uncovered}"
    );
    let orders = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{}/orders", shop.vendor),
            &shop.ann,
        )
        .await,
    )
    .await;
    assert_eq!(orders["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marking_an_order_paid_readies_direct_deliveries_and_logs_every_change() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let placed = json_of(post_order(&app, None, &checkout(&shop.variant)).await).await;
    let id = placed["id"].as_str().unwrap();
    let base = format!("/api/v1/vendors/{}/orders/{id}", shop.vendor);
    let change = |status: &'static str| {
        let app = &app;
        let base = base.clone();
        let token = shop.ann.clone();
        async move {
            app.call(
                Method::POST,
                &format!("{base}/status"),
                &token,
                Some(json!({"status": status, "note": "bank transfer received"})),
            )
            .await
        }
    };

    let skipped = error_body(change("fulfilled").await, 409, "illegal_transition").await;
    assert_eq!(skipped["details"]["allowed"], json!(["paid", "cancelled"]));
    let paid = json_of(change("paid").await).await;
    assert_eq!(paid["status"], "paid");
    assert!(paid["paid_at"].is_string());
    let statuses: Vec<&str> = paid["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|recipient| recipient["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["address_confirmed", "scheduled", "scheduled"]);
    let pushes = job::Entity::find()
        .filter(job::Column::Kind.eq("push_order"))
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(pushes, 1, "one push for the one direct delivery");
    let cancelled = error_body(change("cancelled").await, 409, "illegal_transition").await;
    assert_eq!(
        cancelled["details"]["allowed"],
        json!(["processing", "refunded"])
    );

    // Tracking only once the shipment has been pushed.
    let dan = paid["recipients"][0]["id"].as_str().unwrap();
    let tracking = app
        .call(
            Method::PUT,
            &format!("{base}/recipients/{dan}/tracking"),
            &shop.ann,
            Some(json!({"tracking": "AusPost 123"})),
        )
        .await;
    error_body(tracking, 409, "conflict").await;

    let events = json_of(app.get_as(&format!("{base}/events"), &shop.ann).await).await;
    let moves: Vec<(Option<&str>, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|event| (event["from"].as_str(), event["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        moves,
        [
            (None, "created"),
            (Some("created"), "paid"),
            (Some("pending"), "address_confirmed"),
            (Some("pending"), "scheduled"),
            (Some("pending"), "scheduled")
        ]
    );
    assert_eq!(events[0]["actor"], "customer:carol@example.com");
    assert!(events[1]["actor"].as_str().unwrap().starts_with("user:"));
    assert_eq!(events[1]["note"], "bank transfer received");

    let by_status = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{}/orders?status=paid&q=CAROL", shop.vendor),
            &shop.ann,
        )
        .await,
    )
    .await;
    assert_eq!(by_status["total"], 1);
    assert_jobs_ran(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_vendors_orders_are_404_and_stay_unchanged() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let placed = json_of(post_order(&app, None, &checkout(&shop.variant)).await).await;
    let id = placed["id"].as_str().unwrap();
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let bobs = app.create_vendor(&bob, "Bob's").await;
    let recipient = uuid::Uuid::now_v7();
    for (vendor, token) in [(&shop.vendor, &bob), (&bobs, &bob)] {
        let base = format!("/api/v1/vendors/{vendor}/orders/{id}");
        for (method, path, body) in [
            (Method::GET, base.clone(), None),
            (Method::GET, format!("{base}/events"), None),
            (
                Method::POST,
                format!("{base}/status"),
                Some(json!({"status": "cancelled"})),
            ),
            (
                Method::PUT,
                format!("{base}/recipients/{recipient}/tracking"),
                Some(json!({"tracking": "x"})),
            ),
        ] {
            error_body(app.call(method, &path, token, body).await, 404, "not_found").await;
        }
    }
    let bobs_orders = json_of(
        app.get_as(&format!("/api/v1/vendors/{bobs}/orders"), &bob)
            .await,
    )
    .await;
    assert_eq!(bobs_orders["total"], 0);
    let unchanged = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{}/orders/{id}", shop.vendor),
            &shop.ann,
        )
        .await,
    )
    .await;
    assert_eq!(unchanged["status"], "created");
    assert_jobs_ran(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_expired_gift_is_reissued_and_its_old_code_dies() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    use trove_data_access::entities::order_recipient;

    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let placed = json_of(post_order(&app, None, &checkout(&shop.variant)).await).await;
    let id = placed["id"].as_str().unwrap();
    let base = format!("/api/v1/vendors/{}/orders/{id}", shop.vendor);
    let paid = json_of(
        app.call(
            Method::POST,
            &format!("{base}/status"),
            &shop.ann,
            Some(json!({"status": "paid"})),
        )
        .await,
    )
    .await;
    let finn = paid["recipients"][2]["id"].as_str().unwrap();
    let dan = paid["recipients"][0]["id"].as_str().unwrap();
    let reissue = |recipient: &str| {
        let path = format!("{base}/recipients/{recipient}/reissue");
        let app = &app;
        let token = shop.ann.clone();
        async move { app.call(Method::POST, &path, &token, None).await }
    };
    error_body(reissue(dan).await, 409, "conflict").await;
    error_body(reissue(finn).await, 409, "conflict").await;

    // Let Finn's code run out.
    let row = order_recipient::Entity::find_by_id(uuid::Uuid::parse_str(finn).unwrap())
        .one(&app.database.db)
        .await
        .unwrap()
        .unwrap();
    let old_hash = row.code_hash.clone().unwrap();
    let mut expired: order_recipient::ActiveModel = row.into();
    expired.code_expires_at = Set(Some(
        chrono::Utc::now().naive_utc() - chrono::Duration::days(1),
    ));
    expired.update(&app.database.db).await.unwrap();

    let reissued = reissue(finn).await;
    assert_eq!(reissued.status(), 200);
    assert_eq!(json_of(reissued).await["status"], "scheduled");
    let row = order_recipient::Entity::find_by_id(uuid::Uuid::parse_str(finn).unwrap())
        .one(&app.database.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        row.code_hash.unwrap(),
        old_hash,
        "a new code replaces the old one"
    );
    assert!(row.code_expires_at.unwrap() > chrono::Utc::now().naive_utc());
    let link_emails = job::Entity::find()
        .filter(job::Column::Payload.contains("gift_links"))
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(link_emails, 2, "the customer gets the new link too");
    let events = json_of(app.get_as(&format!("{base}/events"), &shop.ann).await).await;
    let finn_moves: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["recipient_id"] == finn)
        .map(|event| event["to"].as_str().unwrap())
        .collect();
    assert_eq!(finn_moves, ["scheduled", "expired", "scheduled"]);
    // Unknown codes are a plain 404.
    let unknown = app
        .client
        .post(app.url("/api/v1/gifts/redeem"))
        .json(&json!({"code": "nothing-like-a-code"}))
        .send()
        .await
        .unwrap();
    error_body(unknown, 404, "not_found").await;
    assert_jobs_ran(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_gift_is_chosen_by_its_recipient_within_the_budget() {
    let app = TestApp::spawn().await;
    let shop = shop(&app).await;
    let body = json!({
        "customer": {"name": "Carol Buyer", "email": "carol@example.com"},
        "budget": {"minor": 6_000, "currency": "AUD"},
        "recipients": [{"name": "Eve", "email": "eve@example.com", "delivery_method": "email_link"}]
    });
    let both = json!({
        "customer": {"name": "Carol Buyer", "email": "carol@example.com"},
        "budget": {"minor": 6_000, "currency": "AUD"},
        "items": [{"variant_id": shop.variant, "quantity": 1, "customisation": {"Engraving": "x"}}],
        "recipients": [{"name": "Eve", "email": "eve@example.com", "delivery_method": "email_link"}]
    });
    let refused = error_body(
        post_order(&app, None, &both).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["details"][0]["field"], "budget");
    let placed = json_of(post_order(&app, None, &body).await).await;
    // The budget is the gift: 60.00 + the highest zone rate 15.00, fee 5 % → 375, half.
    assert_eq!(placed["quote"]["items_minor"], 6_000);
    assert_eq!(placed["quote"]["total_minor"], 6_000 + 1_500 + 187);
    let base = format!(
        "/api/v1/vendors/{}/orders/{}",
        shop.vendor,
        placed["id"].as_str().unwrap()
    );
    let paid = app
        .call(
            Method::POST,
            &format!("{base}/status"),
            &shop.ann,
            Some(json!({"status": "paid"})),
        )
        .await;
    assert_eq!(paid.status(), 200);

    // The code travels only in the send_gift job.
    let gift_job = job::Entity::find()
        .filter(job::Column::Kind.eq("send_gift"))
        .one(&app.database.db)
        .await
        .unwrap()
        .unwrap();
    let code = serde_json::from_str::<Value>(&gift_job.payload).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = app
        .client
        .post(app.url("/api/v1/gifts/redeem"))
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 201);
    let token = json_of(session).await["token"].as_str().unwrap().to_owned();
    let gift = json_of(app.get_as("/api/v1/gift", &token).await).await;
    assert_eq!(gift["budget_minor"], 6_000);
    assert_eq!(gift["options"][0]["variant_id"], shop.variant.as_str());
    assert_eq!(gift["options"][0]["price_minor"], 4_500);

    let address = json!({"address": {"line1": "1 George St", "city": "Sydney", "postcode": "2000", "country": "AU"}});
    let early = app
        .call(
            Method::PUT,
            "/api/v1/gift/address",
            &token,
            Some(address.clone()),
        )
        .await;
    error_body(early, 409, "nothing_chosen").await;
    let too_much = app
        .call(
            Method::PUT,
            "/api/v1/gift/cart",
            &token,
            Some(json!({"items": [{"variant_id": shop.variant, "quantity": 2}]})),
        )
        .await;
    let too_much = error_body(too_much, 422, "validation_failed").await;
    assert!(
        too_much["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("budget")
    );
    let chosen = app
        .call(
            Method::PUT,
            "/api/v1/gift/cart",
            &token,
            Some(json!({"items": [{"variant_id": shop.variant, "quantity": 1}]})),
        )
        .await;
    assert_eq!(json_of(chosen).await["chosen"][0]["quantity"], 1);
    let confirmed = app
        .call(Method::PUT, "/api/v1/gift/address", &token, Some(address))
        .await;
    assert_eq!(json_of(confirmed).await["status"], "address_confirmed");
    // A vendor token is not a recipient's.
    error_body(
        app.get_as("/api/v1/gift", &shop.ann).await,
        403,
        "wrong_token_type",
    )
    .await;
    assert_jobs_ran(&app).await;
}
