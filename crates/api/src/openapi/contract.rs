//! What every operation answers because of what runs before its handler, added to the
//! document in this one place so it cannot drift from the middleware and extractors.
//!
//! A status an operation already documents keeps its handler's description; only missing
//! ones are added, each with the `ErrorBody` schema:
//!
//! - 400: a malformed query string, path segment, header or JSON body (`extractors`,
//!   `Idempotency-Key`), on every operation that takes parameters or a body;
//! - 401 and 403: no token or an invalid one, and a token of the wrong type (a recipient
//!   token on a vendor route) or a caller the guard refuses, on every operation that
//!   declares the `bearer` scheme;
//! - 413: a body over the limit (`middleware::body_limit`), on every operation with a body;
//! - 415: a body that is not JSON, on every operation whose body is JSON;
//! - 422: well-formed input of the wrong shape or breaking a field rule, on every operation
//!   with a body or query parameters;
//! - 429: the rate limit (`middleware::rate_limit`), on every operation but `/health` and
//!   `/metrics`, which it exempts;
//! - 503: the database not answering (`middleware::database_watch`), under `/api/v1/`.
//!
//! Paging parameters get the bounds `validation::paging` enforces: `page` 1 to
//! `MAX_PAGE`, `per_page` and `limit` 1 to `MAX_PER_PAGE` (default 20).

use crate::middleware::{database_watch, rate_limit};
use crate::validation::{DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE};
use utoipa::openapi::path::{Operation, Parameter, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

/// Adds the generic statuses and paging bounds to every operation.
#[derive(Debug)]
pub struct Contract;

impl utoipa::Modify for Contract {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            for operation in operations(item) {
                add_generic_responses(path, operation);
                bound_paging(operation);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
        &mut item.query,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
    .chain(item.additional_operations.values_mut())
}

fn add_generic_responses(path: &str, operation: &mut Operation) {
    let parameters: Vec<&Parameter> = operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|parameter| match parameter {
            RefOr::T(parameter) => Some(parameter),
            RefOr::Ref(_) => None,
        })
        .collect();
    let has_query = parameters
        .iter()
        .any(|parameter| parameter.parameter_in == ParameterIn::Query);
    let has_parameters = !parameters.is_empty();
    let body = operation.request_body.as_ref().and_then(|body| match body {
        RefOr::T(body) => Some(body),
        RefOr::Ref(_) => None,
    });
    let has_body = body.is_some();
    let json_body = body.is_some_and(is_json);
    let secured = operation.security.as_ref().is_some_and(|requirements| {
        !requirements.is_empty()
            && requirements
                .iter()
                .all(|requirement| *requirement != SecurityRequirement::default())
    });

    let generic: [(bool, &str, &str); 8] = [
        (
            has_parameters || has_body,
            "400",
            "A malformed query string, path segment, header or JSON body.",
        ),
        (secured, "401", "No bearer token, or an invalid one."),
        (
            secured,
            "403",
            "The token is of the wrong type for this route, or its holder may not do this.",
        ),
        (
            has_body,
            "413",
            "The body is larger than the server accepts.",
        ),
        (
            json_body,
            "415",
            "The body is not JSON (`Content-Type: application/json`).",
        ),
        (
            has_body || has_query,
            "422",
            "Input of the wrong shape or breaking a field rule; `details` lists each problem.",
        ),
        (
            !rate_limit::EXEMPT.contains(&path),
            "429",
            "Too many requests from this client; retry after `Retry-After` seconds.",
        ),
        (
            path.starts_with(database_watch::WATCHED_PREFIX),
            "503",
            "A service this request needs (the database) is not answering; retry shortly.",
        ),
    ];
    for (applies, status, description) in generic {
        if applies {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| error_response(description));
        }
    }
}

fn is_json(body: &RequestBody) -> bool {
    body.content
        .keys()
        .any(|media_type| media_type.starts_with("application/json"))
}

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn bound_paging(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if parameter.parameter_in != ParameterIn::Query {
            continue;
        }
        let (maximum, default) = match parameter.name.as_str() {
            "page" => (MAX_PAGE, 1),
            "per_page" | "limit" => (MAX_PER_PAGE, DEFAULT_PER_PAGE),
            _ => continue,
        };
        if let Some(RefOr::T(Schema::Object(schema))) = &mut parameter.schema
            && is_integer(&schema.schema_type)
        {
            schema.minimum = Some(1u64.into());
            schema.maximum = Some(maximum.into());
            schema.default = Some(default.into());
        }
    }
}

fn is_integer(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(kind) => *kind == Type::Integer,
        SchemaType::Array(kinds) => kinds.contains(&Type::Integer),
        SchemaType::AnyValue => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::validation::{DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE};
    use serde_json::{Value, json};

    fn document() -> Value {
        serde_json::to_value(crate::openapi::document()).unwrap()
    }

    /// Every operation as (method, path, operation).
    fn operations(document: &Value) -> Vec<(String, String, Value)> {
        let mut found = Vec::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                found.push((method.clone(), path.clone(), operation.clone()));
            }
        }
        found
    }

    #[test]
    fn paging_parameters_carry_the_bounds_paging_enforces() {
        let document = document();
        let mut seen = Vec::new();
        for (method, path, operation) in operations(&document) {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let (maximum, default) = match parameter["name"].as_str().unwrap() {
                    "page" => (MAX_PAGE, 1),
                    "per_page" | "limit" => (MAX_PER_PAGE, DEFAULT_PER_PAGE),
                    _ => continue,
                };
                let schema = &parameter["schema"];
                assert_eq!(
                    (&schema["minimum"], &schema["maximum"], &schema["default"]),
                    (&json!(1), &json!(maximum), &json!(default)),
                    "{method} {path} {}",
                    parameter["name"]
                );
                seen.push(parameter["name"].as_str().unwrap().to_owned());
            }
        }
        for name in ["page", "per_page", "limit"] {
            assert!(
                seen.iter().any(|seen| seen == name),
                "no `{name}` parameter"
            );
        }
    }

    #[test]
    fn every_operation_documents_what_runs_before_its_handler() {
        let document = document();
        for (method, path, operation) in operations(&document) {
            let secured = operation["security"].is_array();
            let body = operation["requestBody"].is_object();
            let query = operation["parameters"]
                .as_array()
                .is_some_and(|parameters| parameters.iter().any(|p| p["in"] == "query"));
            let parameters = operation["parameters"]
                .as_array()
                .is_some_and(|parameters| !parameters.is_empty());
            let expected = [
                ("400", parameters || body),
                ("401", secured),
                ("403", secured),
                ("413", body),
                ("422", body || query),
                ("429", path != "/health" && path != "/metrics"),
                ("503", path.starts_with("/api/v1/")),
            ];
            for (status, applies) in expected {
                if applies {
                    assert_eq!(
                        operation["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path}: {status}"
                    );
                }
            }
        }
    }

    fn property<'a>(document: &'a Value, schema: &str, field: &str) -> &'a Value {
        let property = &document["components"]["schemas"][schema]["properties"][field];
        assert!(property.is_object(), "{schema}.{field} is documented");
        property
    }

    #[test]
    fn request_bounds_match_the_rules_the_server_enforces() {
        use trove_app::catalogue::is_name;
        use trove_domain::money::Money;
        let document = document();

        let longest = 200;
        assert!(is_name(&"n".repeat(longest)) && !is_name(&"n".repeat(longest + 1)));
        assert!(!is_name("") && !is_name("   "));
        for (schema, field) in [
            ("NewVendor", "name"),
            ("VendorPatch", "name"),
            ("StorefrontBody", "name"),
            ("ProductBody", "title"),
            ("Customer", "name"),
            ("RecipientBody", "name"),
            ("MeChanges", "display_name"),
        ] {
            let name = property(&document, schema, field);
            assert_eq!(
                (&name["minLength"], &name["maxLength"], &name["pattern"]),
                (&json!(1), &json!(longest), &json!(r"\S")),
                "{schema}.{field}"
            );
        }

        assert!(Money::is_stated_amount(0) && !Money::is_stated_amount(-1));
        assert!(!Money::is_stated_amount(Money::MAX_MINOR + 1));
        for (schema, field) in [
            ("Price", "minor"),
            ("Rate", "minor"),
            ("OfferingItem", "price_override_minor"),
        ] {
            let amount = property(&document, schema, field);
            assert_eq!(
                (&amount["minimum"], &amount["maximum"]),
                (&json!(0), &json!(Money::MAX_MINOR)),
                "{schema}.{field}"
            );
        }
        assert_eq!(
            property(&document, "NewRefund", "amount_minor")["maximum"],
            json!(Money::MAX_MINOR)
        );
    }

    #[test]
    fn enumerated_fields_list_exactly_what_the_server_parses() {
        use trove_domain::storefront::DeliveryMethod;
        let document = document();
        let methods = DeliveryMethod::ALL.map(DeliveryMethod::as_str);
        assert_eq!(
            property(&document, "StorefrontBody", "delivery_methods")["items"]["enum"],
            json!(methods)
        );
        assert_eq!(
            property(&document, "RecipientBody", "delivery_method")["pattern"],
            json!(format!("^({})$", methods.join("|")))
        );
        assert!(
            methods
                .iter()
                .all(|method| method.parse::<DeliveryMethod>().is_ok())
        );
    }

    #[test]
    fn a_handler_s_own_description_is_kept() {
        let document = document();
        let create_vendor = &document["paths"]["/api/v1/vendors"]["post"];
        assert_eq!(
            create_vendor["responses"]["400"]["description"],
            "Malformed Idempotency-Key."
        );
        assert_eq!(
            create_vendor["responses"]["415"]["description"],
            "The body is not JSON (`Content-Type: application/json`)."
        );
        let health = &document["paths"]["/health"]["get"]["responses"];
        assert!(health["429"].is_null() && health["503"].is_null());
    }
}
