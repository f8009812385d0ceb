//! Body, query and path extractor settings, so their rejections use the `ApiError` shape.
//!
//! Malformed JSON, query strings and path segments are 400; well-formed JSON of the wrong
//! shape is 422 with the field problem; a body over the limit is 413; a body that is not
//! JSON where JSON is expected is 415.

use crate::error::{ApiError, FieldError};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::web;

pub fn json_config(limit_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit_bytes)
        .error_handler(move |error, _request| json_error(error, limit_bytes).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _request| query_error(error).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, _request| path_error(error).into())
}

fn json_error(error: JsonPayloadError, limit_bytes: usize) -> ApiError {
    match error {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::payload_too_large(limit_bytes)
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with `Content-Type: application/json`.",
        ),
        JsonPayloadError::Deserialize(error) if error.is_data() => {
            ApiError::validation(vec![FieldError {
                field: "body".into(),
                message: error.to_string(),
            }])
        }
        JsonPayloadError::Deserialize(error) => ApiError::bad_request(
            "invalid_json",
            format!("The body is not valid JSON: {error}."),
        ),
        other => ApiError::bad_request(
            "invalid_body",
            format!("The body could not be read: {other}."),
        ),
    }
}

fn query_error(error: QueryPayloadError) -> ApiError {
    ApiError::bad_request(
        "invalid_query",
        format!("The query string is invalid: {error}."),
    )
}

fn path_error(error: PathError) -> ApiError {
    ApiError::bad_request("invalid_path", format!("The URL path is invalid: {error}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorBody;
    use actix_web::{App, HttpResponse, test, web};
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Body {
        #[allow(dead_code)]
        count: u32,
    }

    #[derive(Deserialize)]
    struct Page {
        #[allow(dead_code)]
        limit: u32,
    }

    async fn accept(_: web::Json<Body>) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }

    async fn page(_: web::Query<Page>, _: web::Path<u32>) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }

    async fn call(request: test::TestRequest) -> (StatusCode, ErrorBody) {
        let app = test::init_service(
            App::new()
                .app_data(json_config(64))
                .app_data(query_config())
                .app_data(path_config())
                .route("/things", web::post().to(accept))
                .route("/pages/{n}", web::get().to(page)),
        )
        .await;
        let response = test::call_service(&app, request.to_request()).await;
        let status = response.status();
        (status, test::read_body_json(response).await)
    }

    #[actix_web::test]
    async fn malformed_json_is_400_invalid_json() {
        let request = test::TestRequest::post()
            .uri("/things")
            .insert_header(("content-type", "application/json"))
            .set_payload("{\"count\": ");
        let (status, body) = call(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body.code, "invalid_json");
        assert_eq!(body.error, "Bad Request");
    }

    #[actix_web::test]
    async fn json_of_the_wrong_shape_is_422_with_details() {
        let request = test::TestRequest::post()
            .uri("/things")
            .set_json(serde_json::json!({"count": "many"}));
        let (status, body) = call(request).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body.code, "validation_failed");
        assert!(
            body.details
                .is_some_and(|details| details[0]["field"] == "body")
        );
    }

    #[actix_web::test]
    async fn a_body_over_the_limit_is_413() {
        let request = test::TestRequest::post()
            .uri("/things")
            .insert_header(("content-type", "application/json"))
            .set_payload(format!(
                "{{\"count\": 1, \"pad\": \"{}\"}}",
                "x".repeat(100)
            ));
        let (status, body) = call(request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body.code, "payload_too_large");
    }

    #[actix_web::test]
    async fn a_non_json_content_type_is_415() {
        let request = test::TestRequest::post()
            .uri("/things")
            .insert_header(("content-type", "text/plain"))
            .set_payload("count=1");
        let (status, body) = call(request).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body.code, "unsupported_media_type");
    }

    #[actix_web::test]
    async fn bad_query_and_path_are_400() {
        let (status, body) = call(test::TestRequest::get().uri("/pages/3?limit=lots")).await;
        assert_eq!(
            (status, body.code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_query")
        );
        let (status, body) = call(test::TestRequest::get().uri("/pages/three?limit=5")).await;
        assert_eq!(
            (status, body.code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_path")
        );
    }
}
