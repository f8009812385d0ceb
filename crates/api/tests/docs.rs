//! The OpenAPI document and the Swagger UI, served entirely by the API itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spec_is_openapi_3_1_and_documents_the_error_shape() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app
        .get("/api/docs/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(spec["info"]["title"], "Trove API");
    for field in ["error", "code", "message", "request_id", "details"] {
        assert!(
            spec["components"]["schemas"]["ErrorBody"]["properties"][field].is_object(),
            "ErrorBody.{field} is documented"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_in_the_spec_and_every_documented_operation_is_served() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app
        .get("/api/docs/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let paths = spec["paths"].as_object().unwrap();

    for route in ["/health", "/health/detailed", "/metrics"] {
        assert!(
            paths.contains_key(route),
            "{route} is missing from the spec"
        );
    }
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app
                .client
                .request(method.clone(), app.url(path))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            // A handler may answer 404 for the placeholder id it was given; what must never
            // happen is the router's own "no route" answer or a 405.
            let unrouted = body["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("No route matches"));
            assert!(
                !unrouted && status != 405,
                "{method} {path} is documented but answers {status} {body}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_and_its_assets_are_served_locally() {
    let app = TestApp::spawn().await;
    let redirect = app.get("/api/docs").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/api/docs/");

    let page = app.get("/api/docs/").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("http"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external URL in the page"
    );

    let assets: Vec<String> = html
        .split(['"', '\''])
        .filter(|part| part.ends_with(".js") || part.ends_with(".css") || part.ends_with(".png"))
        .map(|part| part.trim_start_matches("./").to_owned())
        .collect();
    assert!(
        assets
            .iter()
            .any(|asset| asset.ends_with("swagger-ui-bundle.js")),
        "{assets:?}"
    );
    for asset in &assets {
        let response = app.get(&format!("/api/docs/{asset}")).await;
        assert_eq!(response.status(), 200, "{asset}");
    }

    let initializer = app
        .get("/api/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains("/api/docs/openapi.json"),
        "{initializer}"
    );
    assert!(
        !initializer.contains("http://") && !initializer.contains("https://"),
        "{initializer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_protected_operation_declares_the_bearer_scheme() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app
        .get("/api/docs/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let scheme = &spec["components"]["securitySchemes"]["bearer"];
    assert_eq!(
        (scheme["type"].as_str(), scheme["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );

    let public = [
        "/health",
        "/health/detailed",
        "/metrics",
        "/.well-known/jwks.json",
        "/api/v1/public/storefronts/{slug}",
        "/api/v1/public/storefronts/{slug}/files/{upload_id}",
        "/api/v1/public/storefronts/{slug}/sessions",
        "/api/v1/public/domains/{domain}",
        "/api/v1/public/storefronts/{slug}/quote",
        "/api/v1/public/storefronts/{slug}/orders",
        "/api/v1/public/orders/{order_id}/card-payment",
        "/api/v1/gifts/redeem",
        // Stripe and Shopify sign their webhooks and callbacks; a callback's state token
        // names the vendor.
        "/api/v1/webhooks/stripe",
        "/api/v1/payments/oauth/callback",
        "/api/v1/webhooks/shopify",
        "/api/v1/integrations/shopify/callback",
        "/api/v1/recipient-lists/templates/{country}",
        // Signed URLs of the local file store: the signature is the credential.
        "/api/v1/files/vendors/{vendor_id}/{file_id}",
    ];
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let declared = operation["security"]
                .as_array()
                .is_some_and(|requirements| requirements.iter().any(|r| r.get("bearer").is_some()));
            assert_eq!(
                declared,
                !public.contains(&path.as_str()),
                "{method} {path}: security declaration"
            );
        }
    }
}
