//! `GET /.well-known/jwks.json`: the public keys of the tokens this API signs.

use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// The API's token-signing public keys (current and retired) as a JWKS.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "A JSON Web Key Set.", body = Object))
)]
#[get("/.well-known/jwks.json")]
pub async fn published_keys(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .json(state.authenticator.own_keys().jwks())
}
