//! `TestApp`: the real API on a free port over a fresh database, plus request helpers.
//!
//! Jobs run when a test says so (`run_jobs`: every due job, now, in this task), so no test
//! sleeps waiting for the worker. A test that ends with a dead job, or with a job that was
//! due and never ran, fails when its `TestApp` drops (only dead jobs count once a
//! background worker was started, since that one may be mid-job).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod auth0;
pub mod fake_shopify;
pub mod fake_stripe;
pub mod payments;
pub mod shop;
pub mod shopify;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;
use trove_api::Application;
use trove_api::auth::TokenType;
use trove_api::auth::signing::{DEV_ISSUER, OWN_ISSUER, SigningKeys, TokenDraft};
use trove_bootstrap::{Environment, Settings};
use trove_data_access::testing::TestDatabase;

pub struct TestApp {
    pub address: String,
    /// The API's own signing key (base64 PKCS#8), to mint tokens it will accept.
    pub signing_key: String,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    /// The settings the app runs with.
    pub settings: Settings,
    /// The app's own pool, which the worker shares as in the all-in-one binary.
    pool: sea_orm::DatabaseConnection,
    shutdown: CancellationToken,
    background_worker: std::sync::atomic::AtomicBool,
    dead_jobs_expected: std::sync::atomic::AtomicBool,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns the app over a fresh database with test defaults (port 0, one HTTP worker,
    /// a generous rate limit) after `customise` has adjusted the settings.
    pub async fn spawn_with(customise: impl FnOnce(&mut Settings)) -> Self {
        Self::spawn_on(TestDatabase::create().await, customise).await
    }

    /// Like `spawn_with`, over a database the test prepared.
    pub async fn spawn_on(database: TestDatabase, customise: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings {
            env: Environment::Test,
            ..Settings::default()
        };
        settings.server.port = 0;
        settings.server.workers = 1;
        settings.server.shutdown_grace_seconds = 1;
        settings.database.url = SecretString::from(database.url.clone());
        settings.rate_limit.burst = 10_000;
        settings.auth.signing_key = Some(SecretString::from(
            trove_api::auth::signing::generate_key().expect("generate a signing key"),
        ));
        settings.auth.dev_issuer = true;
        settings.mail.outbox_dir = std::env::temp_dir()
            .join("trove-test-outbox")
            .display()
            .to_string();
        settings.storage.local_dir = std::env::temp_dir()
            .join(format!(
                "trove-test-files-{}",
                uuid::Uuid::new_v4().simple()
            ))
            .display()
            .to_string();
        settings.storage.local_url_key = Some(SecretString::from(
            "dGVzdC1vbmx5IFVSTCBrZXkgb2YgdGhlIGxvY2FsIGZpbGUgc3RvcmU=",
        ));
        settings.secrets.local_key_file = std::env::temp_dir()
            .join(format!(
                "trove-test-secrets-{}.b64",
                uuid::Uuid::new_v4().simple()
            ))
            .display()
            .to_string();
        customise(&mut settings);
        settings.validate().expect("test settings must be valid");

        let pool = trove_data_access::connect(&settings.database)
            .await
            .expect("open the app's pool");
        let application = Application::build_with_db(&settings, pool.clone())
            .await
            .expect("build the app");
        let address = format!("http://127.0.0.1:{}", application.port());
        let shutdown = CancellationToken::new();
        tokio::spawn(application.run_until_stopped(shutdown.clone()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let signing_key = settings
            .auth
            .signing_key
            .as_ref()
            .map(|key| secrecy::ExposeSecret::expose_secret(key).to_owned())
            .unwrap_or_default();
        Self {
            address,
            signing_key,
            client,
            database,
            settings,
            pool,
            shutdown,
            background_worker: std::sync::atomic::AtomicBool::new(false),
            dead_jobs_expected: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Runs every job that is due now (and those they queue) to its outcome, as the worker
    /// would, and returns the outcomes.
    pub async fn run_jobs(&self) -> Vec<trove_worker::Outcome> {
        let handlers = trove_worker::handlers::registry(&self.pool, &self.settings)
            .await
            .expect("build the job handlers");
        trove_worker::Worker::new(self.pool.clone(), &self.settings.worker, handlers)
            .run_due(10_000)
            .await
            .expect("run the due jobs")
    }

    /// Says this test makes jobs die on purpose: they do not fail it when it ends.
    pub fn expect_dead_jobs(&self) {
        self.dead_jobs_expected
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Runs the worker over the app's database and settings until the app stops.
    pub async fn start_worker(&self) {
        self.background_worker
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let mut settings = self.settings.clone();
        settings.worker.poll_interval_ms = 50;
        let worker = trove_worker::WorkerService::from_settings(self.pool.clone(), &settings, None)
            .await
            .expect("build the worker");
        tokio::spawn(worker.run_until_stopped(self.shutdown.clone()));
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A token of `typ` signed with this app's key: dev-issuer for vendor/admin, the API's
    /// own issuer for the types it issues itself.
    pub fn token(&self, typ: TokenType, subject_email: &str) -> String {
        let keys = SigningKeys::new(&self.signing_key, &[]).unwrap();
        let issuer = match typ {
            TokenType::Vendor | TokenType::Admin => DEV_ISSUER,
            _ => OWN_ISSUER,
        };
        keys.issue(TokenDraft {
            issuer,
            typ,
            subject: format!("dev|{subject_email}"),
            lifetime: std::time::Duration::from_secs(600),
            email: Some(subject_email.to_owned()),
            vendor_id: None,
            nonce: None,
        })
        .unwrap()
    }

    /// Sends `method path` with a bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    /// Creates a vendor as the holder of `token` and returns its id.
    pub async fn create_vendor(&self, token: &str, name: &str) -> String {
        let response = self
            .call(
                reqwest::Method::POST,
                "/api/v1/vendors",
                token,
                Some(serde_json::json!({ "name": name })),
            )
            .await;
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if std::thread::panicking() {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            return;
        }
        if self
            .dead_jobs_expected
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let due = !self
            .background_worker
            .load(std::sync::atomic::Ordering::SeqCst);
        // A test that broke the jobs table on purpose has nothing left to check.
        let Ok(left) =
            tokio::task::block_in_place(|| handle.block_on(self.database.unsettled_jobs(due)))
        else {
            return;
        };
        assert!(
            left.is_empty(),
            "the test left jobs unsettled (run them with run_jobs): {left:?}"
        );
    }
}

/// The response body as JSON.
pub async fn json_of(response: reqwest::Response) -> serde_json::Value {
    response.json().await.expect("a JSON body")
}

/// Asserts the JSON error shape and returns the body.
pub async fn error_body(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let request_id = response
        .headers()
        .get("x-request-id")
        .expect("every response carries X-Request-Id")
        .to_str()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = response.json().await.expect("error bodies are JSON");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");
    assert!(
        body["error"].as_str().is_some_and(|text| !text.is_empty()),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|text| !text.is_empty()),
        "{body}"
    );
    body
}

/// Runs every due job and asserts that none died: what the test queued was delivered.
pub async fn assert_jobs_ran(app: &TestApp) {
    let outcomes = app.run_jobs().await;
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|outcome| {
            !matches!(
                outcome,
                trove_worker::Outcome::Completed | trove_worker::Outcome::Skipped
            )
        })
        .collect();
    assert!(failed.is_empty(), "jobs failed: {failed:?}");
}
