//! Shopify against the stand-in: installing (the callback's checks, the token stored
//! sealed), the connection's state, disconnecting, and webhooks (signature, once per
//! delivery id, `app/uninstalled`, `shop/redact`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use support::fake_shopify::{API_SECRET, FakeShopify};
use support::shopify::{
    CALLBACK, callback_query, connected, signed_query, spawn, start_install, sync_once,
};
use support::{TestApp, assert_jobs_ran, error_body, json_of};

const WEBHOOK: &str = "/api/v1/webhooks/shopify";
use trove_api::auth::TokenType;
use trove_data_access::entities::{job, shopify_connection, shopify_webhook};

async fn connections(app: &TestApp) -> Vec<shopify_connection::Model> {
    shopify_connection::Entity::find()
        .all(&app.database.db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_install_round_trip_connects_and_keeps_the_token_sealed() {
    let fake = FakeShopify::start().await;
    let app = spawn(&fake).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let status_path = format!("/api/v1/vendors/{vendor}/integrations/shopify");

    let before = json_of(app.get_as(&status_path, &ann).await).await;
    assert_eq!(before["status"], "not_connected");

    let shop = "acme-gifts.myshopify.com";
    let state = start_install(&app, &fake, &ann, &vendor, shop).await;
    fake.issue_code(shop, "code-1");
    let query = callback_query(shop, "code-1", &state);
    let answer = app.get(&format!("{CALLBACK}?{query}")).await;
    assert_eq!(answer.status(), 200);
    let view = json_of(answer).await;
    assert_eq!(view["status"], "connected");
    assert_eq!(view["shop"], shop);
    assert_eq!(view["shop_name"], "Shop acme-gifts");
    assert_eq!(view["currency"], "AUD");
    assert_eq!(view["token_health"], "expiring");
    assert!(
        view["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("read_products"))
    );
    assert_eq!(json_of(app.get_as(&status_path, &ann).await).await, view);

    // The token and its refresh token are stored, but never as themselves.
    let tokens = fake.live_tokens();
    assert_eq!(tokens.len(), 1);
    let rows = connections(&app).await;
    assert_eq!(rows.len(), 1);
    let stored = format!("{:?}", rows[0]);
    assert!(rows[0].access_token.is_some() && rows[0].refresh_token.is_some());
    assert!(!stored.contains(&tokens[0]), "the raw token is in the row");
    assert!(
        !stored.contains("shprt_fake_"),
        "the raw refresh token is in the row"
    );
    if let Some(path) = app.database.url.strip_prefix("sqlite://") {
        let file = std::fs::read(path.split('?').next().unwrap()).unwrap();
        let needle = tokens[0].as_bytes();
        assert!(
            !file.windows(needle.len()).any(|window| window == needle),
            "the raw token is in the database file"
        );
    }

    // Every webhook the app needs points at this API.
    let subscriptions = fake.subscriptions();
    for topic in [
        "APP_UNINSTALLED",
        "PRODUCTS_UPDATE",
        "PRODUCTS_DELETE",
        "FULFILLMENTS_CREATE",
    ] {
        assert!(
            subscriptions.iter().any(|(s, t, uri)| s == shop
                && t == topic
                && uri == "https://trove.example/api/v1/webhooks/shopify"),
            "{topic} not subscribed: {subscriptions:?}"
        );
    }

    // The same callback again: the state is spent.
    let replay = app.get(&format!("{CALLBACK}?{query}")).await;
    error_body(replay, 400, "invalid_state").await;

    // Disconnecting revokes the token at Shopify and forgets it here.
    let other = app.token(TokenType::Vendor, "bob@example.com");
    let refused = app.call(Method::DELETE, &status_path, &other, None).await;
    assert_eq!(refused.status(), 404);
    let gone = app.call(Method::DELETE, &status_path, &ann, None).await;
    assert_eq!(gone.status(), 204);
    assert_eq!(fake.revoked(), tokens);
    assert!(connections(&app).await.is_empty());
    let after = json_of(app.get_as(&status_path, &ann).await).await;
    assert_eq!(after["status"], "not_connected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_failing_any_check_is_400_and_stores_nothing() {
    let fake = FakeShopify::start().await;
    let app = spawn(&fake).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let shop = "acme.myshopify.com";

    // The install start refuses a domain that is not a shop's before anything else.
    for bad in [
        "acme.example.com",
        "Acme.myshopify.com",
        "acme.myshopify.com.evil.io",
    ] {
        let refused = app
            .call(
                Method::POST,
                &format!("/api/v1/vendors/{vendor}/integrations/shopify/install"),
                &ann,
                Some(json!({ "shop": bad })),
            )
            .await;
        error_body(refused, 422, "validation_failed").await;
    }

    let state = start_install(&app, &fake, &ann, &vendor, shop).await;
    fake.issue_code(shop, "code-ok");

    // A tampered hmac.
    let good = callback_query(shop, "code-ok", &state);
    let mut tampered = good.clone();
    let at = tampered.find("hmac=").unwrap() + 5;
    let flipped = if &tampered[at..=at] == "0" { "1" } else { "0" };
    tampered.replace_range(at..=at, flipped);
    error_body(
        app.get(&format!("{CALLBACK}?{tampered}")).await,
        400,
        "invalid_hmac",
    )
    .await;

    // A parameter changed after signing.
    let moved = good.replace("code-ok", "code-other");
    error_body(
        app.get(&format!("{CALLBACK}?{moved}")).await,
        400,
        "invalid_hmac",
    )
    .await;

    // A shop that is not `*.myshopify.com`, however well signed.
    let evil = callback_query("acme.evil.com", "code-ok", &state);
    error_body(
        app.get(&format!("{CALLBACK}?{evil}")).await,
        400,
        "invalid_shop",
    )
    .await;

    // A state issued for another shop.
    let other_shop = "other.myshopify.com";
    fake.issue_code(other_shop, "code-other-shop");
    let foreign = callback_query(other_shop, "code-other-shop", &state);
    error_body(
        app.get(&format!("{CALLBACK}?{foreign}")).await,
        400,
        "invalid_state",
    )
    .await;

    // A state that is not ours at all, and a missing parameter.
    let forged = callback_query(shop, "code-ok", "eyJhbGciOiJFZERTQSJ9.e30.c2ln");
    error_body(
        app.get(&format!("{CALLBACK}?{forged}")).await,
        400,
        "invalid_state",
    )
    .await;
    let partial = signed_query(&[("shop", shop), ("timestamp", "1")], API_SECRET);
    error_body(
        app.get(&format!("{CALLBACK}?{partial}")).await,
        400,
        "invalid_callback",
    )
    .await;

    assert!(connections(&app).await.is_empty());
    assert!(
        fake.requests()
            .iter()
            .all(|request| request.path != "/admin/oauth/access_token"),
        "no code was exchanged"
    );
    let status = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{vendor}/integrations/shopify"),
            &ann,
        )
        .await,
    )
    .await;
    assert_eq!(status["status"], "not_connected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_belongs_to_one_vendor_and_throttled_calls_wait() {
    let fake = FakeShopify::start().await;
    let app = spawn(&fake).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let acme = app.create_vendor(&ann, "Acme").await;
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let other = app.create_vendor(&bob, "Other").await;
    let shop = "shared.myshopify.com";

    fake.throttle(2);
    let view = connected(&app, &fake, &ann, &acme, shop).await;
    assert_eq!(view["status"], "connected");

    let taken = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{other}/integrations/shopify/install"),
            &bob,
            Some(json!({ "shop": shop })),
        )
        .await;
    error_body(taken, 409, "shop_already_connected").await;
}

fn webhook_request(
    app: &TestApp,
    topic: &str,
    shop: &str,
    id: &str,
    body: &str,
) -> reqwest::RequestBuilder {
    webhook_signed_over(app, topic, shop, id, body, body)
}

/// A delivery whose `X-Shopify-Hmac-Sha256` signs `signed` while the body sent is `sent`.
fn webhook_signed_over(
    app: &TestApp,
    topic: &str,
    shop: &str,
    id: &str,
    signed: &str,
    sent: &str,
) -> reqwest::RequestBuilder {
    let hmac = STANDARD.encode(hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, API_SECRET.as_bytes()),
        signed.as_bytes(),
    ));
    app.client
        .post(app.url(WEBHOOK))
        .header("content-type", "application/json")
        .header("x-shopify-hmac-sha256", hmac)
        .header("x-shopify-topic", topic)
        .header("x-shopify-shop-domain", shop)
        .header("x-shopify-webhook-id", id)
        .header("x-shopify-api-version", "2025-10")
        .body(sent.to_owned())
}

async fn shopify_jobs(app: &TestApp) -> u64 {
    job::Entity::find()
        .filter(job::Column::Kind.eq("process_shopify_webhook"))
        .count(&app.database.db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_verified_stored_once_and_applied() {
    let fake = FakeShopify::start().await;
    let app = spawn(&fake).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let shop = "acme.myshopify.com";
    connected(&app, &fake, &ann, &vendor, shop).await;

    // Signed over other bytes (the same JSON written again): 401, nothing stored.
    let body = r#"{"id":548380009,"name":"acme","domain":"acme.myshopify.com"}"#;
    let reserialised =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(body).unwrap()).unwrap();
    let signed_for_other_bytes = webhook_signed_over(
        &app,
        "app/uninstalled",
        shop,
        "wh-forged",
        body,
        &reserialised,
    )
    .send()
    .await
    .unwrap();
    error_body(signed_for_other_bytes, 401, "invalid_signature").await;
    assert_eq!(
        shopify_webhook::Entity::find()
            .count(&app.database.db)
            .await
            .unwrap(),
        0
    );

    // Three concurrent deliveries of one webhook: each answered 200, stored and queued once.
    let deliveries =
        (0..3).map(|_| webhook_request(&app, "app/uninstalled", shop, "wh-1", body).send());
    let answers = futures_util::future::join_all(deliveries).await;
    let mut outcomes = Vec::new();
    for answer in answers {
        let answer = answer.unwrap();
        assert_eq!(answer.status(), 200);
        outcomes.push(
            json_of(answer).await["outcome"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    outcomes.sort();
    assert_eq!(outcomes, ["duplicate", "duplicate", "queued"]);
    assert_eq!(shopify_jobs(&app).await, 1);

    assert_jobs_ran(&app).await;
    let status = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{vendor}/integrations/shopify"),
            &ann,
        )
        .await,
    )
    .await;
    assert_eq!(status["status"], "uninstalled");
    assert_eq!(status["token_health"], "none");
    let rows = connections(&app).await;
    assert!(rows[0].access_token.is_none() && rows[0].refresh_token.is_none());

    // `shop/redact` forgets the connection altogether.
    let redact = r#"{"shop_id":548380009,"shop_domain":"acme.myshopify.com"}"#;
    let answer = webhook_request(&app, "shop/redact", shop, "wh-2", redact)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_jobs_ran(&app).await;
    assert!(connections(&app).await.is_empty());

    // A shop no vendor holds: acknowledged, stored, nothing queued.
    let stray = webhook_request(
        &app,
        "products/update",
        "nobody.myshopify.com",
        "wh-3",
        "{}",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(json_of(stray).await["outcome"], "unclaimed");
}

fn counts(sync: &Value) -> [i64; 6] {
    [
        "seen",
        "created",
        "updated",
        "unchanged",
        "archived",
        "failed",
    ]
    .map(|key| sync[key].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_imports_through_throttled_pages_and_resyncs_idempotently() {
    use trove_data_access::entities::{product, product_variant};
    let fake = FakeShopify::start().await;
    let app = spawn(&fake).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let shop = "big-shop.myshopify.com";

    let early = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/integrations/shopify/sync"),
            &ann,
            None,
        )
        .await;
    error_body(early, 409, "shopify_not_connected").await;

    connected(&app, &fake, &ann, &vendor, shop).await;
    fake.stock_catalogue(shop, 2_000);
    fake.throttle(3);

    let first = sync_once(&app, &ann, &vendor).await;
    assert_eq!(first["status"], "succeeded", "{first}");
    assert_eq!(counts(&first), [2_000, 2_000, 0, 0, 0, 0]);
    let imported = product::Entity::find()
        .filter(product::Column::Source.eq("shopify"))
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(imported, 2_000);
    let variants = product_variant::Entity::find()
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(variants, 4_000);
    let p5 = product::Entity::find()
        .filter(product::Column::ExternalId.eq("gid://shopify/Product/1005"))
        .one(&app.database.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p5.status.as_str(), "active");
    let attributes: Value = serde_json::from_str(&p5.attributes).unwrap();
    assert_eq!(attributes["options"]["Size"], json!(["S", "M"]));
    assert_eq!(
        attributes["image_urls"],
        json!(["https://cdn.shopify.example/5.jpg"])
    );
    let p5_small = || {
        product_variant::Entity::find()
            .filter(product_variant::Column::Sku.eq("P5-S"))
            .one(&app.database.db)
    };
    let before = p5_small().await.unwrap().unwrap();
    assert_eq!(
        (before.price_minor, before.currency.as_str(), before.stock),
        (1999, "AUD", Some(7))
    );

    // Nothing changed in Shopify: nothing is written.
    let second = sync_once(&app, &ann, &vendor).await;
    assert_eq!(counts(&second), [2_000, 0, 0, 2_000, 0, 0]);
    let after_second = product::Entity::find_by_id(p5.id)
        .one(&app.database.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after_second.updated_at, p5.updated_at);

    // A price changed, a product deleted, one made unimportable.
    fake.edit_product(shop, 5, |product| {
        product["variants"]["nodes"][0]["price"] = json!("21.00");
    });
    fake.edit_product(shop, 9, |product| {
        product["variants"]["nodes"] = json!([]);
    });
    fake.delete_product(shop, 7);
    let third = sync_once(&app, &ann, &vendor).await;
    assert_eq!(counts(&third), [1_999, 0, 1, 1_997, 1, 1], "{third}");
    assert_eq!(
        third["failures"][0]["product"],
        "gid://shopify/Product/1009"
    );
    assert_eq!(
        third["failures"][0]["reason"],
        "the product has no variants"
    );
    let repriced = p5_small().await.unwrap().unwrap();
    assert_eq!(repriced.price_minor, 2100);
    assert_eq!(
        repriced.id, before.id,
        "a variant keeps its id across syncs"
    );
    let p7 = product::Entity::find()
        .filter(product::Column::ExternalId.eq("gid://shopify/Product/1007"))
        .one(&app.database.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        p7.status.as_str(),
        "archived",
        "a product deleted in Shopify is archived, not dropped"
    );

    let status = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{vendor}/integrations/shopify"),
            &ann,
        )
        .await,
    )
    .await;
    assert!(status["last_sync_at"].is_string(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiring_token_is_refreshed_and_a_refused_refresh_asks_for_a_reconnect() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let fake = FakeShopify::start().await;
    let app = spawn(&fake).await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let shop = "fresh.myshopify.com";
    connected(&app, &fake, &ann, &vendor, shop).await;
    fake.stock_catalogue(shop, 3);

    let expire = |row: shopify_connection::Model| {
        let mut active: shopify_connection::ActiveModel = row.into();
        active.access_token_expires_at = Set(Some(
            chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1),
        ));
        active
    };
    let before = connections(&app).await.remove(0);
    expire(before.clone())
        .update(&app.database.db)
        .await
        .unwrap();

    let synced = sync_once(&app, &ann, &vendor).await;
    assert_eq!(synced["status"], "succeeded", "{synced}");
    assert_eq!(fake.refreshes(), 1);
    let after = connections(&app).await.remove(0);
    assert_ne!(
        after.access_token, before.access_token,
        "the new token is stored"
    );
    assert_ne!(
        after.refresh_token, before.refresh_token,
        "the rotated refresh token too"
    );
    assert!(after.access_token_expires_at.unwrap() > chrono::Utc::now().naive_utc());

    // The refresh token is refused: the vendor must reconnect; the sync says why.
    fake.forget_refresh_tokens();
    expire(after).update(&app.database.db).await.unwrap();
    let refused = sync_once(&app, &ann, &vendor).await;
    assert_eq!(refused["status"], "failed");
    assert!(
        refused["error"].as_str().unwrap().contains("refused"),
        "{refused}"
    );
    let status = json_of(
        app.get_as(
            &format!("/api/v1/vendors/{vendor}/integrations/shopify"),
            &ann,
        )
        .await,
    )
    .await;
    assert_eq!(status["status"], "needs_reconnect");
    assert_eq!(status["token_health"], "none");
}
