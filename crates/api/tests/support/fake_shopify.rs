//! A stand-in Shopify serving every shop under `http://127.0.0.1:PORT/{shop}`: the OAuth
//! token endpoint (authorization codes it was told about, expiring offline tokens with a
//! refresh token, Shopify's OAuth error shape), the Admin GraphQL endpoint at the pinned
//! version (the `shop` query and `webhookSubscriptionCreate`, with `extensions.cost` and a
//! `THROTTLED` answer when told to throttle), and token revocation
//! (`DELETE /admin/api_permissions/current.json`). Tokens it issued are checked on every
//! Admin call (401 otherwise, as Shopify does). It keeps what it was asked, for the test.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const API_KEY: &str = "trove-fake-client-id";
pub const API_SECRET: &str = "shpss_trove_fake_secret";
pub const API_VERSION: &str = "2025-10";

#[derive(Debug, Clone)]
pub struct Recorded {
    pub shop: String,
    pub path: String,
    pub body: Value,
}

#[derive(Default)]
struct Ledger {
    requests: Vec<Recorded>,
    /// Authorization code → shop it is valid for.
    codes: HashMap<String, String>,
    /// Access token → shop.
    tokens: HashMap<String, String>,
    /// Live refresh token → shop; spending one retires it.
    refresh_tokens: HashMap<String, String>,
    refreshes: usize,
    revoked: Vec<String>,
    /// (shop, topic, uri) of every webhook subscription made.
    subscriptions: Vec<(String, String, String)>,
    /// How many GraphQL calls to answer `THROTTLED` before answering.
    throttle_next: usize,
    /// Each shop's products, in id order, as the Admin API returns them.
    catalogues: HashMap<String, Vec<Value>>,
    next_id: u64,
}

pub struct FakeShopify {
    /// `shopify.shop_base_url`.
    pub shop_base_url: String,
    ledger: Arc<Mutex<Ledger>>,
}

fn graphql_answer(data: Value, available: f64) -> Value {
    json!({
        "data": data,
        "extensions": { "cost": {
            "requestedQueryCost": 10, "actualQueryCost": 10,
            "throttleStatus": { "maximumAvailable": 2000.0, "currentlyAvailable": available, "restoreRate": 100.0 }
        }}
    })
}

async fn handle(
    request: HttpRequest,
    body: web::Bytes,
    ledger: web::Data<Arc<Mutex<Ledger>>>,
) -> HttpResponse {
    let path = request.path().to_owned();
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let shop = parts.next().unwrap_or_default().to_owned();
    let rest = format!("/{}", parts.next().unwrap_or_default());
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut ledger = ledger.lock().unwrap();
    ledger.requests.push(Recorded {
        shop: shop.clone(),
        path: rest.clone(),
        body: parsed.clone(),
    });
    let token = request
        .headers()
        .get("x-shopify-access-token")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let authorised = token
        .as_ref()
        .is_some_and(|token| ledger.tokens.get(token) == Some(&shop));

    match (request.method().as_str(), rest.as_str()) {
        ("POST", "/admin/oauth/access_token") => {
            if parsed["client_id"] != API_KEY || parsed["client_secret"] != API_SECRET {
                return HttpResponse::BadRequest().json(json!({"error": "invalid_client", "error_description": "Client credentials are invalid"}));
            }
            if parsed["grant_type"] == "refresh_token" {
                let spent = parsed["refresh_token"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                if ledger.refresh_tokens.remove(&spent).as_deref() != Some(shop.as_str()) {
                    return HttpResponse::BadRequest().json(json!({"error": "invalid_grant", "error_description": "The refresh token is invalid or was already used"}));
                }
                ledger.refreshes += 1;
                ledger.next_id += 1;
                let access = format!("shpat_fake_{}_{}", ledger.next_id, shop.len());
                let refresh = format!("shprt_fake_{}", ledger.next_id);
                ledger.tokens.insert(access.clone(), shop.clone());
                ledger.refresh_tokens.insert(refresh.clone(), shop);
                return HttpResponse::Ok().json(json!({
                    "access_token": access, "expires_in": 3600,
                    "refresh_token": refresh, "refresh_token_expires_in": 7_776_000,
                    "scope": "read_products,read_inventory,write_orders,read_orders,read_fulfillments",
                }));
            }
            let code = parsed["code"].as_str().unwrap_or_default().to_owned();
            if ledger.codes.remove(&code).as_deref() != Some(shop.as_str()) {
                return HttpResponse::BadRequest().json(json!({"error": "invalid_request", "error_description": "The authorization code was not found or was already used"}));
            }
            ledger.next_id += 1;
            let access = format!("shpat_fake_{}_{}", ledger.next_id, shop.len());
            ledger.tokens.insert(access.clone(), shop.clone());
            let expiring = parsed["expiring"] == 1;
            let mut answer = json!({
                "access_token": access,
                "scope": "read_products,read_inventory,write_orders,read_orders,read_fulfillments",
            });
            if expiring {
                let refresh = format!("shprt_fake_{}", ledger.next_id);
                ledger.refresh_tokens.insert(refresh.clone(), shop.clone());
                answer["expires_in"] = json!(3600);
                answer["refresh_token"] = json!(refresh);
                answer["refresh_token_expires_in"] = json!(7_776_000);
            }
            HttpResponse::Ok().json(answer)
        }
        ("DELETE", "/admin/api_permissions/current.json") => {
            if !authorised {
                return HttpResponse::Unauthorized().json(json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}));
            }
            if let Some(token) = token {
                ledger.tokens.remove(&token);
                ledger.revoked.push(token);
            }
            HttpResponse::Ok().json(json!({}))
        }
        ("POST", graphql) if graphql == format!("/admin/api/{API_VERSION}/graphql.json") => {
            if !authorised {
                return HttpResponse::Unauthorized().json(json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}));
            }
            if ledger.throttle_next > 0 {
                ledger.throttle_next -= 1;
                return HttpResponse::Ok().json(json!({
                    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                    "extensions": {"cost": {"requestedQueryCost": 10, "actualQueryCost": null,
                        "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 5.0, "restoreRate": 100.0}}}
                }));
            }
            let query = parsed["query"].as_str().unwrap_or_default();
            if query.contains("products(") {
                let first = parsed["variables"]["first"].as_u64().unwrap_or(50) as usize;
                let start = parsed["variables"]["after"]
                    .as_str()
                    .and_then(|cursor| cursor.strip_prefix("cursor-"))
                    .and_then(|at| at.parse::<usize>().ok())
                    .unwrap_or(0);
                let all = ledger.catalogues.get(&shop).cloned().unwrap_or_default();
                let end = (start + first).min(all.len());
                let nodes = &all[start.min(end)..end];
                return HttpResponse::Ok().json(graphql_answer(
                    json!({"products": {
                        "nodes": nodes,
                        "pageInfo": {"hasNextPage": end < all.len(), "endCursor": format!("cursor-{end}")}
                    }}),
                    1990.0,
                ));
            }
            if query.contains("webhookSubscriptionCreate") {
                let topic = parsed["variables"]["topic"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let uri = parsed["variables"]["subscription"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                ledger.next_id += 1;
                let id = format!("gid://shopify/WebhookSubscription/{}", ledger.next_id);
                ledger.subscriptions.push((shop, topic, uri));
                return HttpResponse::Ok().json(graphql_answer(
                    json!({"webhookSubscriptionCreate": {"webhookSubscription": {"id": id}, "userErrors": []}}),
                    1990.0,
                ));
            }
            if query.contains("shop") {
                let name = format!("Shop {}", shop.trim_end_matches(".myshopify.com"));
                return HttpResponse::Ok().json(graphql_answer(
                    json!({"shop": {"name": name, "currencyCode": "AUD"}}),
                    1990.0,
                ));
            }
            HttpResponse::Ok()
                .json(json!({"errors": [{"message": "Field doesn't exist on type 'QueryRoot'"}]}))
        }
        _ => HttpResponse::NotFound().json(json!({"errors": "Not Found"})),
    }
}

impl FakeShopify {
    pub async fn start() -> Self {
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let data = web::Data::new(ledger.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(handle))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            shop_base_url: format!("http://127.0.0.1:{port}/{{shop}}"),
            ledger,
        }
    }

    /// Points `settings` at this stand-in with the fake app's credentials.
    pub fn configure(&self, settings: &mut trove_bootstrap::Settings) {
        settings.shopify.api_key = Some(API_KEY.into());
        settings.shopify.api_secret = Some(secrecy::SecretString::from(API_SECRET));
        settings.shopify.api_version = API_VERSION.into();
        settings.shopify.shop_base_url = self.shop_base_url.clone();
        settings.shopify.app_url = "https://trove.example".into();
        settings.shopify.timeout_seconds = 5;
    }

    /// Makes `code` a valid authorization code for `shop`, once.
    pub fn issue_code(&self, shop: &str, code: &str) {
        self.ledger
            .lock()
            .unwrap()
            .codes
            .insert(code.into(), shop.into());
    }

    /// Gives `shop` `count` active products of two variants each (SKUs `P{n}-S`/`P{n}-M`,
    /// 19.99 and 24.50), with an option and an image.
    pub fn stock_catalogue(&self, shop: &str, count: usize) {
        let products = (0..count)
            .map(|n| {
                json!({
                    "id": format!("gid://shopify/Product/{}", 1000 + n),
                    "title": format!("Product {n}"),
                    "descriptionHtml": format!("<p>Product {n}</p>"),
                    "status": "ACTIVE",
                    "options": [{"name": "Size", "values": ["S", "M"]}],
                    "media": {"nodes": [{"image": {"url": format!("https://cdn.shopify.example/{n}.jpg"), "altText": null}}]},
                    "variants": {"nodes": [
                        {"id": format!("gid://shopify/ProductVariant/{}", 50_000 + 2 * n), "sku": format!("P{n}-S"), "title": "S", "price": "19.99", "inventoryQuantity": 7},
                        {"id": format!("gid://shopify/ProductVariant/{}", 50_001 + 2 * n), "sku": format!("P{n}-M"), "title": "M", "price": "24.50", "inventoryQuantity": 3}
                    ]}
                })
            })
            .collect();
        self.ledger
            .lock()
            .unwrap()
            .catalogues
            .insert(shop.into(), products);
    }

    /// Changes `shop`'s product `n` in place.
    pub fn edit_product(&self, shop: &str, n: usize, edit: impl FnOnce(&mut Value)) {
        let mut ledger = self.ledger.lock().unwrap();
        let product = ledger
            .catalogues
            .get_mut(shop)
            .and_then(|products| products.get_mut(n))
            .unwrap();
        edit(product);
    }

    /// Deletes `shop`'s product `n`.
    pub fn delete_product(&self, shop: &str, n: usize) {
        self.ledger
            .lock()
            .unwrap()
            .catalogues
            .get_mut(shop)
            .unwrap()
            .remove(n);
    }

    /// Answers the next `n` GraphQL calls `THROTTLED`.
    pub fn throttle(&self, n: usize) {
        self.ledger.lock().unwrap().throttle_next = n;
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.ledger.lock().unwrap().requests.clone()
    }

    /// The tokens issued and still live.
    pub fn live_tokens(&self) -> Vec<String> {
        self.ledger.lock().unwrap().tokens.keys().cloned().collect()
    }

    /// How many refresh grants it answered.
    pub fn refreshes(&self) -> usize {
        self.ledger.lock().unwrap().refreshes
    }

    /// Forgets every refresh token, as when they expired or were revoked.
    pub fn forget_refresh_tokens(&self) {
        self.ledger.lock().unwrap().refresh_tokens.clear();
    }

    pub fn revoked(&self) -> Vec<String> {
        self.ledger.lock().unwrap().revoked.clone()
    }

    pub fn subscriptions(&self) -> Vec<(String, String, String)> {
        self.ledger.lock().unwrap().subscriptions.clone()
    }
}
