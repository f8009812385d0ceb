//! A stand-in Auth0 tenant: serves a JWKS (switchable, to rotate keys), counts fetches,
//! and mints RS256 access tokens with the test keys in `tests/fixtures`.

use actix_web::{App, HttpResponse, HttpServer, web};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const AUDIENCE: &str = "https://api.trove.test";
const KEY_A: &str = include_str!("../fixtures/auth0-key-a.pem");
const KEY_B: &str = include_str!("../fixtures/auth0-key-b.pem");
pub const PUBLIC_KEY_A: &str = include_str!("../fixtures/auth0-key-a.pub.pem");
const JWKS: &str = include_str!("../fixtures/auth0-jwks.json");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    A,
    B,
}

impl Key {
    pub fn kid(self) -> &'static str {
        match self {
            Key::A => "test-key-a",
            Key::B => "test-key-b",
        }
    }

    fn pem(self) -> &'static str {
        match self {
            Key::A => KEY_A,
            Key::B => KEY_B,
        }
    }

    fn jwk(self) -> Value {
        let all: Value = serde_json::from_str(JWKS).unwrap();
        all[if self == Key::A { "a" } else { "b" }].clone()
    }
}

#[derive(Default)]
struct Tenant {
    published: Mutex<Vec<Key>>,
    fetches: AtomicUsize,
}

pub struct FakeAuth0 {
    pub issuer: String,
    tenant: Arc<Tenant>,
}

async fn jwks(tenant: web::Data<Arc<Tenant>>) -> HttpResponse {
    tenant.fetches.fetch_add(1, Ordering::SeqCst);
    let keys: Vec<Value> = tenant
        .published
        .lock()
        .unwrap()
        .iter()
        .map(|key| key.jwk())
        .collect();
    HttpResponse::Ok().json(json!({ "keys": keys }))
}

impl FakeAuth0 {
    /// Starts the tenant publishing `keys`.
    pub fn start(keys: &[Key]) -> Self {
        let tenant = Arc::new(Tenant::default());
        *tenant.published.lock().unwrap() = keys.to_vec();
        let shared = tenant.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .route("/.well-known/jwks.json", web::get().to(jwks))
        })
        .listen(listener)
        .unwrap()
        .workers(1)
        .run();
        tokio::spawn(server);
        Self {
            issuer: format!("http://127.0.0.1:{port}/"),
            tenant,
        }
    }

    pub fn publish(&self, keys: &[Key]) {
        *self.tenant.published.lock().unwrap() = keys.to_vec();
    }

    pub fn fetches(&self) -> usize {
        self.tenant.fetches.load(Ordering::SeqCst)
    }

    /// Standard claims for `subject`, valid for an hour.
    pub fn claims(&self, subject: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + 3600,
            "email": format!("{}@example.com", subject.replace('|', "-")),
        })
    }

    /// An RS256 token over `claims`, signed with `key` and carrying `kid` in its header.
    pub fn sign(&self, key: Key, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        let encoding = EncodingKey::from_rsa_pem(key.pem().as_bytes()).unwrap();
        jsonwebtoken::encode(&header, claims, &encoding).unwrap()
    }

    pub fn token(&self, key: Key, claims: &Value) -> String {
        self.sign(key, key.kid(), claims)
    }
}
