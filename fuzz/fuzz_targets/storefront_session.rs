//! Storefront sessions: an `Authorization` header value taken the way the API takes it
//! (`middleware::bearer_token`, `Authenticator::authenticate`, the outcome left on the
//! request, then `guards::storefront_session`), either arbitrary bytes or a genuine
//! session from `issue_storefront_session` for an arbitrary storefront followed by
//! arbitrary bytes. Checks that a request opens a storefront only with a
//! `storefront_session` token the key signed for that storefront, and that a genuine
//! session opens its own storefront exactly when nothing but spaces and tabs follow it.
#![no_main]

use actix_web::HttpMessage;
use actix_web::http::header::{AUTHORIZATION, HeaderValue};
use actix_web::test::TestRequest;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use std::time::Duration;
use trove_api::auth::Authenticator;
use trove_api::auth::guards::storefront_session;
use trove_api::auth::middleware::{AuthOutcome, bearer_token};
use trove_api::auth::signing::OWN_ISSUER;
use trove_fuzz::{accepted_claims, authenticator, ready, signed_by_us};
use uuid::Uuid;

static AUTHENTICATOR: LazyLock<Authenticator> = LazyLock::new(|| authenticator(false));

/// How long the API's storefront sessions last.
const LIFETIME: Duration = Duration::from_secs(2 * 3600);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        if let (Some(storefront), Some(token)) = open(rest) {
            check_opened(&token, storefront);
        }
    } else {
        let Some((id, tail)) = rest.split_first_chunk::<16>() else {
            return;
        };
        let storefront = Uuid::from_bytes(*id);
        let token = AUTHENTICATOR
            .issue_storefront_session(storefront, LIFETIME)
            .expect("the fixed key signs");
        let value = [b"Bearer ", token.as_bytes(), tail].concat();
        let blank_tail = tail.iter().all(|byte| matches!(byte, b' ' | b'\t'));
        assert_eq!(
            open(&value).0,
            blank_tail.then_some(storefront),
            "a genuine session followed by {tail:?}"
        );
    }
});

/// The storefront a request with `Authorization: value` opens, and the token it carried
/// (a value that is not a valid header value never reaches the API: no header).
fn open(value: &[u8]) -> (Option<Uuid>, Option<String>) {
    let request = match HeaderValue::from_bytes(value) {
        Ok(value) => TestRequest::default().insert_header((AUTHORIZATION, value)),
        Err(_) => TestRequest::default(),
    }
    .to_http_request();
    let mut carried = None;
    if let Some(token) = bearer_token(request.headers()) {
        let outcome = match token {
            Ok(token) => {
                let outcome = ready(AUTHENTICATOR.authenticate(&token));
                carried = Some(token);
                outcome
            }
            Err(error) => Err(error),
        };
        request.extensions_mut().insert(AuthOutcome(outcome));
    }
    (storefront_session(&request), carried)
}

fn check_opened(token: &str, storefront: Uuid) {
    assert!(
        signed_by_us(token),
        "opened with a token the key did not sign: {token:?}"
    );
    let (_, claims) = accepted_claims(token);
    assert_eq!(claims.typ, "storefront_session", "{claims:?}");
    assert_eq!(claims.iss, OWN_ISSUER, "{claims:?}");
    assert_eq!(Uuid::parse_str(&claims.sub), Ok(storefront), "{claims:?}");
}
