//! Extractors that say who may call a handler. A handler taking `VendorAccess` can only be
//! reached by a member of the vendor in its path (or an admin); one taking `AdminUser` only
//! by an admin; and so on. Another vendor's objects are 404, never 403, so their existence
//! does not leak.

use super::authenticator::AuthError;
use super::claims::{Principal, TokenType};
use super::middleware::AuthOutcome;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use std::marker::PhantomData;
use trove_data_access::entities::{user, vendor};
use trove_data_access::{consumed_tokens, members, users, vendors};
use trove_domain::ids::{UserId, VendorId};
use trove_domain::vendor::VendorRole;

fn state(request: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state is missing"))
}

fn principal(request: &HttpRequest) -> Result<Principal, ApiError> {
    match request.extensions().get::<AuthOutcome>() {
        Some(AuthOutcome(outcome)) => outcome.clone().map_err(ApiError::from),
        None => Err(AuthError::Missing.into()),
    }
}

/// A signed-in person with a Vendor or Admin token; their user record is created on first
/// sight.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub user: user::Model,
    pub admin: bool,
}

impl StaffUser {
    pub fn id(&self) -> UserId {
        UserId::from(self.user.id)
    }

    async fn extract(request: HttpRequest) -> Result<Self, ApiError> {
        let (subject, email, admin) = match principal(&request)? {
            Principal::Staff {
                subject,
                email,
                admin,
            } => (subject, email, admin),
            other => {
                return Err(AuthError::WrongType {
                    expected: "vendor or admin",
                    actual: other.token_type(),
                }
                .into());
            }
        };
        let state = state(&request)?;
        let user = users::upsert_from_token(&state.db, &subject, &email).await?;
        Ok(Self { user, admin })
    }
}

impl FromRequest for StaffUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(Self::extract(request.clone()))
    }
}

/// A platform admin.
#[derive(Debug, Clone)]
pub struct AdminUser(pub StaffUser);

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let staff = StaffUser::extract(request).await?;
            if staff.admin {
                Ok(Self(staff))
            } else {
                Err(ApiError::forbidden("This is for platform admins only."))
            }
        })
    }
}

/// A member of the vendor named by the `{vendor_id}` path segment, or an admin.
#[derive(Debug, Clone)]
pub struct VendorAccess {
    pub staff: StaffUser,
    pub vendor: vendor::Model,
    /// `None` for an admin who is not a member.
    pub role: Option<VendorRole>,
}

impl VendorAccess {
    pub fn vendor_id(&self) -> VendorId {
        VendorId::from(self.vendor.id)
    }

    /// Who is acting, as order histories record it (`user:{id}`).
    pub fn actor(&self) -> String {
        format!("user:{}", self.staff.user.id)
    }

    /// Owners (and admins) only; other members get 403, having seen the vendor already.
    pub fn require_owner(&self) -> Result<(), ApiError> {
        if self.staff.admin || self.role == Some(VendorRole::Owner) {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "Only an owner of this vendor can do this.",
            ))
        }
    }
}

impl VendorAccess {
    /// `staff`'s access to `vendor_id`: a member's role, or an admin's; anyone else 404.
    pub async fn resolve(
        state: &AppState,
        staff: StaffUser,
        vendor_id: VendorId,
    ) -> Result<Self, ApiError> {
        let not_found = || ApiError::no_such("vendor");
        let membership = members::membership(&state.db, vendor_id, staff.id()).await?;
        let role = membership.map(|m| m.role);
        if role.is_none() && !staff.admin {
            return Err(not_found());
        }
        let vendor = vendors::find(&state.db, vendor_id)
            .await?
            .ok_or_else(not_found)?;
        Ok(Self {
            staff,
            vendor,
            role,
        })
    }
}

impl FromRequest for VendorAccess {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let staff = StaffUser::extract(request.clone()).await?;
            let vendor_id = request
                .match_info()
                .get("vendor_id")
                .and_then(|raw| uuid::Uuid::parse_str(raw).ok())
                .map(VendorId::from)
                .ok_or_else(|| ApiError::no_such("vendor"))?;
            let state = state(&request)?;
            Self::resolve(&state, staff, vendor_id).await
        })
    }
}

/// The storefront a valid storefront-session token on this request opens, if any.
pub fn storefront_session(request: &HttpRequest) -> Option<uuid::Uuid> {
    match principal(request) {
        Ok(Principal::StorefrontSession { storefront_id, .. }) => Some(storefront_id),
        _ => None,
    }
}

/// A gift recipient holding a Recipient token.
#[derive(Debug, Clone)]
pub struct RecipientAccess {
    pub recipient_id: String,
}

impl FromRequest for RecipientAccess {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(match principal(request) {
            Ok(Principal::Recipient { recipient_id }) => Ok(Self { recipient_id }),
            Ok(other) => Err(AuthError::WrongType {
                expected: "recipient",
                actual: other.token_type(),
            }
            .into()),
            Err(error) => Err(error),
        })
    }
}

/// Which OAuth round trip a state belongs to.
pub trait OAuthProvider {
    const TOKEN_TYPE: TokenType;
}

#[derive(Debug)]
pub struct Shopify;
impl OAuthProvider for Shopify {
    const TOKEN_TYPE: TokenType = TokenType::ShopifyOauth;
}

#[derive(Debug)]
pub struct Xero;
impl OAuthProvider for Xero {
    const TOKEN_TYPE: TokenType = TokenType::XeroOauth;
}

#[derive(Debug)]
pub struct StripeConnect;
impl OAuthProvider for StripeConnect {
    const TOKEN_TYPE: TokenType = TokenType::StripeOauth;
}

/// The `state` query parameter of an OAuth callback, validated and spent: a replay is 401.
#[derive(Debug)]
pub struct OAuthState<P> {
    pub vendor_id: VendorId,
    pub nonce: String,
    provider: PhantomData<P>,
}

#[derive(serde::Deserialize)]
struct StateQuery {
    state: String,
}

impl<P: OAuthProvider + 'static> FromRequest for OAuthState<P> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let query = web::Query::<StateQuery>::from_query(request.query_string())
                .map_err(|_| ApiError::from(AuthError::Missing))?;
            let app_state = state(&request)?;
            let (vendor_id, nonce) =
                spend_oauth_state(&app_state, &query.state, P::TOKEN_TYPE).await?;
            Ok(Self {
                vendor_id,
                nonce,
                provider: PhantomData,
            })
        })
    }
}

/// Validates an OAuth `state` of `provider` and spends it: the vendor it names and its
/// nonce. A replay is refused ("already used"), as is a state of another provider.
pub async fn spend_oauth_state(
    state: &AppState,
    token: &str,
    provider: TokenType,
) -> Result<(VendorId, String), ApiError> {
    let principal = state.authenticator.authenticate(token).await?;
    let Principal::OAuthState {
        provider: issued_for,
        vendor_id,
        nonce,
        jti,
        expires_at,
    } = principal
    else {
        return Err(AuthError::WrongType {
            expected: provider.as_str(),
            actual: principal.token_type(),
        }
        .into());
    };
    if issued_for != provider {
        return Err(AuthError::WrongType {
            expected: provider.as_str(),
            actual: issued_for,
        }
        .into());
    }
    let expires = chrono::DateTime::from_timestamp(expires_at, 0)
        .map(|at| at.naive_utc())
        .unwrap_or_else(trove_data_access::jobs::now);
    if !consumed_tokens::consume(&state.db, &jti, expires).await? {
        return Err(AuthError::Invalid("this state was already used".into()).into());
    }
    Ok((VendorId::from(vendor_id), nonce))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::middleware;
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test};
    use secrecy::SecretString;
    use trove_data_access::testing::TestDatabase;

    async fn callback(state: OAuthState<Shopify>) -> HttpResponse {
        HttpResponse::Ok().body(state.vendor_id.to_string())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_oauth_state_is_spent_once_and_bound_to_its_provider() {
        let database = TestDatabase::create().await;
        let mut settings = trove_bootstrap::Settings::default();
        settings.database.url = SecretString::from(database.url.clone());
        settings.auth.signing_key = Some(SecretString::from(
            crate::auth::signing::generate_key().unwrap(),
        ));
        settings.secrets.local_key_file = std::env::temp_dir()
            .join(format!(
                "trove-guards-secrets-{}.b64",
                uuid::Uuid::new_v4().simple()
            ))
            .display()
            .to_string();
        let state = crate::startup::build_state(&settings, database.db.clone())
            .await
            .unwrap();
        let authenticator = state.authenticator.clone();
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(state))
                .wrap(from_fn(middleware::authenticate))
                .route("/callback", web::get().to(callback)),
        )
        .await;
        let vendor = uuid::Uuid::new_v4();
        let shopify = authenticator
            .issue_oauth_state(TokenType::ShopifyOauth, vendor, "n-1")
            .unwrap();
        let call = |state: String| {
            test::TestRequest::get()
                .uri(&format!("/callback?state={state}"))
                .to_request()
        };

        let first = test::call_service(&app, call(shopify.clone())).await;
        assert_eq!(first.status(), 200);
        assert_eq!(test::read_body(first).await, vendor.to_string());

        let replay = test::call_service(&app, call(shopify)).await;
        assert_eq!(replay.status(), 401, "a replayed state is refused");

        let xero = authenticator
            .issue_oauth_state(TokenType::XeroOauth, vendor, "n-2")
            .unwrap();
        assert_eq!(test::call_service(&app, call(xero)).await.status(), 403);

        let recipient = authenticator
            .issue_recipient("r-1", std::time::Duration::from_secs(60))
            .unwrap();
        assert_eq!(
            test::call_service(&app, call(recipient)).await.status(),
            403
        );

        assert_eq!(
            test::call_service(&app, call("forged".into()))
                .await
                .status(),
            401
        );
    }
}
