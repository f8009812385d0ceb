//! Uploads end to end: declare, PUT to the signed URL, confirm, attach, download — on the
//! local folder store by default and on S3 + KMS when `TEST_AWS_ENDPOINT` names a moto
//! server. Another vendor's files stay out of reach.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{TestApp, error_body, json_of};
use trove_api::auth::TokenType;

/// A tiny PNG-looking payload (the API checks declarations, not pixels).
const IMAGE: &[u8] = b"\x89PNG\r\n\x1a\n-trove-test-image-bytes-";

async fn declare(app: &TestApp, token: &str, vendor: &str, purpose: &str, size: usize) -> Value {
    let response = app
        .call(
            Method::POST,
            "/api/v1/uploads",
            token,
            Some(json!({
                "vendor_id": vendor,
                "purpose": purpose,
                "content_type": "image/png",
                "size_bytes": size,
            })),
        )
        .await;
    assert_eq!(response.status(), 201);
    json_of(response).await
}

/// Sends the signed request as a client would, with exactly its headers except those
/// `changed` replaces (`Some`) or leaves out (`None`).
async fn put_file(
    app: &TestApp,
    signed: &Value,
    body: &[u8],
    changed: &[(&str, Option<&str>)],
) -> u16 {
    assert_eq!(signed["method"], "PUT");
    let mut request = app
        .client
        .put(signed["url"].as_str().unwrap())
        .body(body.to_vec());
    for (name, value) in signed["headers"].as_object().unwrap() {
        let value = match changed.iter().find(|(changed, _)| changed == name) {
            Some((_, replacement)) => *replacement,
            None => value.as_str(),
        };
        if let Some(value) = value.filter(|_| name != "content-length") {
            request = request.header(name, value);
        }
    }
    request.send().await.unwrap().status().as_u16()
}

async fn confirm(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.call(
        Method::POST,
        &format!("/api/v1/uploads/{id}/confirm"),
        token,
        None,
    )
    .await
}

async fn uploaded(app: &TestApp, token: &str, vendor: &str, purpose: &str) -> String {
    let declared = declare(app, token, vendor, purpose, IMAGE.len()).await;
    assert_eq!(
        put_file(app, &declared["upload_request"], IMAGE, &[]).await,
        200
    );
    let id = declared["upload"]["id"].as_str().unwrap().to_owned();
    assert_eq!(confirm(app, token, &id).await.status(), 200);
    id
}

fn product_with_images(sku: &str, images: &[&str]) -> Value {
    json!({
        "title": "Hamper",
        "status": "active",
        "image_upload_ids": images,
        "variants": [{"sku": sku, "price": {"minor": 5000, "currency": "AUD"}}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_upload_is_stored_confirmed_attached_and_served() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let admin = app.token(TokenType::Admin, "ops@trove.example");
    let vendor = app.create_vendor(&ann, "Acme").await;

    let declared = declare(&app, &ann, &vendor, "product_image", IMAGE.len()).await;
    let id = declared["upload"]["id"].as_str().unwrap().to_owned();
    assert_eq!(declared["upload"]["status"], "pending");
    let signed = &declared["upload_request"];
    assert!(
        signed["url"].as_str().unwrap().starts_with(&app.address),
        "{signed}"
    );
    assert_eq!(signed["headers"]["content-type"], "image/png");

    error_body(confirm(&app, &ann, &id).await, 409, "not_uploaded").await;
    let pending = json_of(app.get_as(&format!("/api/v1/uploads/{id}"), &ann).await).await;
    assert!(pending["download"].is_null(), "{pending}");
    // Not attachable before it is confirmed.
    let early = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/products"),
            &ann,
            Some(product_with_images("HAMP-1", &[&id])),
        )
        .await;
    let early = error_body(early, 422, "validation_failed").await;
    assert_eq!(early["details"][0]["field"], "image_upload_ids[0]");

    assert_eq!(put_file(&app, signed, IMAGE, &[]).await, 200);
    let ready = json_of(confirm(&app, &ann, &id).await).await;
    assert_eq!(ready["status"], "ready");
    assert!(ready["confirmed_at"].is_string());

    let detail = json_of(app.get_as(&format!("/api/v1/uploads/{id}"), &ann).await).await;
    let download = app
        .client
        .get(detail["download"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.bytes().await.unwrap().as_ref(), IMAGE);

    // Attach: a product image and the storefront logo, then read them publicly.
    let created = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/products"),
            &ann,
            Some(product_with_images("HAMP-1", &[&id])),
        )
        .await;
    assert_eq!(created.status(), 201);
    let product = json_of(created).await;
    assert_eq!(product["image_upload_ids"], json!([id]));
    let logo = uploaded(&app, &ann, &vendor, "storefront_logo").await;
    let wrong_purpose = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/storefronts"),
            &ann,
            Some(storefront_body("acme-gifts", Some(&id))),
        )
        .await;
    let wrong_purpose = error_body(wrong_purpose, 422, "validation_failed").await;
    assert_eq!(
        wrong_purpose["details"][0]["field"],
        "branding.logo_upload_id"
    );
    let storefront = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/storefronts"),
            &ann,
            Some(storefront_body("acme-gifts", Some(&logo))),
        )
        .await;
    assert_eq!(storefront.status(), 201);
    let storefront_id = json_of(storefront).await["id"].as_str().unwrap().to_owned();
    let offering = app
        .call(
            Method::PUT,
            &format!("/api/v1/vendors/{vendor}/storefronts/{storefront_id}/products"),
            &ann,
            Some(json!({"items": [{"product_id": product["id"]}]})),
        )
        .await;
    assert_eq!(offering.status(), 200);
    let activated = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{vendor}/storefronts/{storefront_id}/status"),
            &admin,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(activated.status(), 200);

    let public = json_of(app.get("/api/v1/public/storefronts/acme-gifts").await).await;
    let logo_path = public["logo_url"].as_str().unwrap();
    let image_path = public["products"][0]["image_urls"][0].as_str().unwrap();
    for (path, expected) in [(logo_path, IMAGE), (image_path, IMAGE)] {
        let redirect = app.get(path).await;
        assert_eq!(redirect.status(), 302, "{path}");
        let location = redirect.headers()["location"].to_str().unwrap().to_owned();
        let file = app.client.get(&location).send().await.unwrap();
        assert_eq!(file.bytes().await.unwrap().as_ref(), expected);
    }
    // A file the storefront does not show is not served through it.
    let other = uploaded(&app, &ann, &vendor, "product_image").await;
    error_body(
        app.get(&format!(
            "/api/v1/public/storefronts/acme-gifts/files/{other}"
        ))
        .await,
        404,
        "not_found",
    )
    .await;
}

fn storefront_body(slug: &str, logo: Option<&str>) -> Value {
    json!({
        "slug": slug,
        "name": "Acme Gifts",
        "delivery_methods": ["email_link"],
        "fee_transfer_mode": "none",
        "branding": {"logo_upload_id": logo},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declarations_outside_the_policy_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let admin = app.token(TokenType::Admin, "ops@trove.example");
    let recipient = app.token(TokenType::Recipient, "rita@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let declare_as =
        |token: String, purpose: &'static str, content_type: &'static str, size: u64| {
            let app = &app;
            let vendor = vendor.clone();
            async move {
                app.call(
                    Method::POST,
                    "/api/v1/uploads",
                    &token,
                    Some(json!({
                        "vendor_id": vendor,
                        "purpose": purpose,
                        "content_type": content_type,
                        "size_bytes": size,
                    })),
                )
                .await
            }
        };
    let three_mib = 3 * 1024 * 1024;

    let too_big = error_body(
        declare_as(ann.clone(), "storefront_logo", "image/png", three_mib).await,
        413,
        "payload_too_large",
    )
    .await;
    assert_eq!(too_big["details"]["max_bytes"], 2 * 1024 * 1024);
    // Admins get more room for the same purpose.
    assert_eq!(
        declare_as(admin.clone(), "storefront_logo", "image/png", three_mib)
            .await
            .status(),
        201
    );
    let wrong_type = error_body(
        declare_as(ann.clone(), "product_image", "text/html", 100).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(wrong_type["details"][0]["field"], "content_type");
    let unknown = error_body(
        declare_as(ann.clone(), "avatar", "image/png", 100).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(unknown["details"][0]["field"], "purpose");
    error_body(
        declare_as(ann.clone(), "product_image", "image/png", 0).await,
        422,
        "validation_failed",
    )
    .await;
    error_body(
        declare_as(recipient, "product_image", "image/png", 100).await,
        403,
        "wrong_token_type",
    )
    .await;

    // Only the admin's declaration exists.
    use sea_orm::{EntityTrait, PaginatorTrait};
    let rows = trove_data_access::entities::upload::Entity::find()
        .count(&app.database.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_upload_url_holds_only_for_what_was_declared() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor = app.create_vendor(&ann, "Acme").await;
    let declared = declare(&app, &ann, &vendor, "product_image", IMAGE.len()).await;
    let signed = &declared["upload_request"];
    let url = signed["url"].as_str().unwrap();

    let other_type = app
        .client
        .put(url)
        .header("content-type", "text/html")
        .body(IMAGE.to_vec())
        .send()
        .await
        .unwrap();
    error_body(other_type, 403, "invalid_signature").await;
    let longer = [IMAGE, b"more"].concat();
    let other_size = app
        .client
        .put(url)
        .header("content-type", "image/png")
        .body(longer)
        .send()
        .await
        .unwrap();
    error_body(other_size, 403, "invalid_signature").await;
    let forged = url.replace("signature=", "signature=AAAA");
    let forged = app
        .client
        .put(forged)
        .header("content-type", "image/png")
        .body(IMAGE.to_vec())
        .send()
        .await
        .unwrap();
    error_body(forged, 403, "invalid_signature").await;
    let id = declared["upload"]["id"].as_str().unwrap();
    error_body(confirm(&app, &ann, id).await, 409, "not_uploaded").await;

    // A signed PUT URL does not download.
    let as_get = app.client.get(url).send().await.unwrap();
    error_body(as_get, 403, "invalid_signature").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_vendors_uploads_cannot_be_read_confirmed_attached_or_declared() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let bob = app.token(TokenType::Vendor, "bob@example.com");
    let acme = app.create_vendor(&ann, "Acme").await;
    let bobs = app.create_vendor(&bob, "Bob's").await;
    let ready = uploaded(&app, &ann, &acme, "product_image").await;
    let pending = declare(&app, &ann, &acme, "product_image", IMAGE.len()).await;
    let pending = pending["upload"]["id"].as_str().unwrap().to_owned();

    for id in [&ready, &pending] {
        error_body(
            app.get_as(&format!("/api/v1/uploads/{id}"), &bob).await,
            404,
            "not_found",
        )
        .await;
        error_body(confirm(&app, &bob, id).await, 404, "not_found").await;
    }
    let attach = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{bobs}/products"),
            &bob,
            Some(product_with_images("BOB-1", &[&ready])),
        )
        .await;
    error_body(attach, 404, "not_found").await;
    let logo = app
        .call(
            Method::POST,
            &format!("/api/v1/vendors/{bobs}/storefronts"),
            &bob,
            Some(storefront_body("bobs-gifts", Some(&ready))),
        )
        .await;
    error_body(logo, 404, "not_found").await;
    let declare_for_acme = app
        .call(
            Method::POST,
            "/api/v1/uploads",
            &bob,
            Some(json!({
                "vendor_id": acme,
                "purpose": "product_image",
                "content_type": "image/png",
                "size_bytes": 10,
            })),
        )
        .await;
    error_body(declare_for_acme, 404, "not_found").await;

    // Acme's uploads are as they were; Bob made nothing.
    let still = json_of(
        app.get_as(&format!("/api/v1/uploads/{pending}"), &ann)
            .await,
    )
    .await;
    assert_eq!(still["upload"]["status"], "pending");
    let bobs_products = json_of(
        app.get_as(&format!("/api/v1/vendors/{bobs}/products"), &bob)
            .await,
    )
    .await;
    assert_eq!(bobs_products["total"], 0);
}

/// The S3 + KMS backend against moto: real aws-sdk-s3/aws-sdk-kms calls.
mod s3 {
    use super::*;
    use aws_config::{BehaviorVersion, Region};
    use aws_sdk_s3::config::Credentials;
    use aws_sdk_s3::types::ServerSideEncryption;
    use trove_bootstrap::settings::StorageBackend;

    fn endpoint() -> Option<String> {
        std::env::var("TEST_AWS_ENDPOINT")
            .ok()
            .filter(|e| !e.is_empty())
    }

    struct Moto {
        s3: aws_sdk_s3::Client,
        bucket: String,
        key_arn: String,
        key_id: String,
    }

    async fn moto(endpoint: &str) -> Moto {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .load()
            .await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let bucket = format!("trove-test-{}", uuid::Uuid::new_v4().simple());
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        let key = aws_sdk_kms::Client::new(&config)
            .create_key()
            .description("trove test files")
            .send()
            .await
            .unwrap()
            .key_metadata
            .unwrap();
        Moto {
            s3,
            bucket,
            key_arn: key.arn().unwrap().to_owned(),
            key_id: key.key_id().to_owned(),
        }
    }

    async fn spawn(endpoint: &str, moto: &Moto) -> TestApp {
        let endpoint = endpoint.to_owned();
        let bucket = moto.bucket.clone();
        let key_id = moto.key_id.clone();
        TestApp::spawn_with(move |settings| {
            settings.storage.backend = StorageBackend::S3;
            settings.storage.s3_bucket = Some(bucket);
            settings.storage.kms_key_id = Some(key_id);
            settings.storage.s3_force_path_style = true;
            settings.aws.endpoint_url = Some(endpoint);
            settings.aws.access_key_id = Some("testing".into());
            settings.aws.secret_access_key = Some("testing".to_owned().into());
        })
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_s3_upload_is_presigned_put_confirmed_and_kms_encrypted() {
        let Some(endpoint) = endpoint() else {
            eprintln!("TEST_AWS_ENDPOINT not set; skipping the S3 upload test");
            return;
        };
        let moto = moto(&endpoint).await;
        let app = spawn(&endpoint, &moto).await;
        let ann = app.token(TokenType::Vendor, "ann@example.com");
        let vendor = app.create_vendor(&ann, "Acme").await;

        let declared = declare(&app, &ann, &vendor, "product_image", IMAGE.len()).await;
        let signed = &declared["upload_request"];
        let url = signed["url"].as_str().unwrap();
        assert!(
            url.contains(&moto.bucket) && url.contains("X-Amz-Signature"),
            "{url}"
        );
        assert!(url.contains(&format!("vendors/{vendor}/")), "{url}");
        assert_eq!(signed["headers"]["x-amz-server-side-encryption"], "aws:kms");
        assert_eq!(put_file(&app, signed, IMAGE, &[]).await, 200);
        let id = declared["upload"]["id"].as_str().unwrap();
        assert_eq!(
            json_of(confirm(&app, &ann, id).await).await["status"],
            "ready"
        );

        let key = format!("vendors/{vendor}/{id}");
        let head = moto
            .s3
            .head_object()
            .bucket(&moto.bucket)
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(
            head.server_side_encryption(),
            Some(&ServerSideEncryption::AwsKms)
        );
        let used = head.ssekms_key_id().unwrap();
        assert!(used == moto.key_arn || used == moto.key_id, "{used}");
        assert_eq!(head.content_length(), Some(IMAGE.len() as i64));

        let detail = json_of(app.get_as(&format!("/api/v1/uploads/{id}"), &ann).await).await;
        let download = app
            .client
            .get(detail["download"]["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(download.bytes().await.unwrap().as_ref(), IMAGE);

        let health = json_of(app.get("/health/detailed").await).await;
        let storage = health["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|check| check["name"] == "storage")
            .unwrap()
            .clone();
        assert_eq!(storage["status"], "up", "{health}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unencrypted_or_wrong_sized_object_is_deleted_and_refused() {
        let Some(endpoint) = endpoint() else {
            eprintln!("TEST_AWS_ENDPOINT not set; skipping the S3 mismatch test");
            return;
        };
        let moto = moto(&endpoint).await;
        let app = spawn(&endpoint, &moto).await;
        let ann = app.token(TokenType::Vendor, "ann@example.com");
        let vendor = app.create_vendor(&ann, "Acme").await;

        // Skipping the SSE header stores a plain object (moto does not check signatures).
        let plain = declare(&app, &ann, &vendor, "product_image", IMAGE.len()).await;
        let status = put_file(
            &app,
            &plain["upload_request"],
            IMAGE,
            &[("x-amz-server-side-encryption", None)],
        )
        .await;
        assert_eq!(status, 200);
        let id = plain["upload"]["id"].as_str().unwrap();
        let refused = error_body(confirm(&app, &ann, id).await, 422, "upload_mismatch").await;
        assert!(
            refused["details"]["problems"][0]
                .as_str()
                .unwrap()
                .contains("KMS")
        );
        let gone = moto
            .s3
            .head_object()
            .bucket(&moto.bucket)
            .key(format!("vendors/{vendor}/{id}"))
            .send()
            .await;
        assert!(gone.is_err(), "the refused object is deleted");

        let short = declare(&app, &ann, &vendor, "product_image", IMAGE.len()).await;
        assert_eq!(
            put_file(&app, &short["upload_request"], &IMAGE[..4], &[]).await,
            200
        );
        let id = short["upload"]["id"].as_str().unwrap();
        let refused = error_body(confirm(&app, &ann, id).await, 422, "upload_mismatch").await;
        assert!(
            refused["details"]["problems"][0]
                .as_str()
                .unwrap()
                .contains("size")
        );
        let still = json_of(app.get_as(&format!("/api/v1/uploads/{id}"), &ann).await).await;
        assert_eq!(still["upload"]["status"], "pending");

        // Another content type than the declared one (S3 itself would refuse the signature).
        let html = declare(&app, &ann, &vendor, "product_image", IMAGE.len()).await;
        let stored = put_file(
            &app,
            &html["upload_request"],
            IMAGE,
            &[("content-type", Some("text/html"))],
        )
        .await;
        assert_eq!(stored, 200);
        let id = html["upload"]["id"].as_str().unwrap();
        let refused = error_body(confirm(&app, &ann, id).await, 422, "upload_mismatch").await;
        assert!(
            refused["details"]["problems"][0]
                .as_str()
                .unwrap()
                .contains("text/html")
        );
    }
}
