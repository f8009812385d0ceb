//! What answers when no route matched: 405 with `Allow` when the path exists under another
//! method, else 404.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};

pub async fn not_matched(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let allowed = request
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.openapi.routes().allowed_methods(request.path()));
    match allowed {
        Some(methods) => Err(ApiError::method_not_allowed(&methods)),
        None => Err(ApiError::not_found(format!(
            "No route matches {}.",
            request.path()
        ))),
    }
}
