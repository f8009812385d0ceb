//! A vendor's shipping zones: list, create, read, replace, delete, and resolve an address
//! to its zone (the same rule checkout will use).

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::validation::Fields;
use crate::views::zone::{Rate, ZoneView};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use trove_data_access::shipping_zones;
use trove_domain::money::{Currency, Money};
use trove_domain::shipping::{self, Address, PostcodeRule, ZoneRules};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneBody {
    /// 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// ISO 3166-1 alpha-2 codes, e.g. `["AU"]`.
    #[schema(schema_with = crate::openapi::rules::country_codes)]
    pub countries: Vec<String>,
    /// State codes; empty or absent means every state.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::rules::state_codes)]
    pub states: Vec<String>,
    /// `{"type":"range","from":2000,"to":2234}`, `{"type":"exact","code":"6011"}` or
    /// `{"type":"prefix","prefix":"SW1"}`; empty or absent means every postcode.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::rules::postcode_rules)]
    pub postcodes: Vec<PostcodeRule>,
    pub rate: Rate,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ZoneAddress)]
pub struct AddressBody {
    #[schema(pattern = "^[A-Za-z]{2}$")]
    pub country: String,
    pub state: Option<String>,
    pub postcode: Option<String>,
}

fn is_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic())
}

fn is_short_code(code: &str) -> bool {
    let code = code.trim();
    !code.is_empty() && code.len() <= 12
}

/// The zone's parts once every field checks out, or a 422 naming each problem.
fn validated(body: ZoneBody) -> Result<(String, ZoneRules, Money), ApiError> {
    let mut fields = Fields::default();
    let name = body.name.trim().to_owned();
    fields.check(
        (1..=100).contains(&name.chars().count()),
        "name",
        "must be 1 to 100 characters",
    );
    fields.check(
        !body.countries.is_empty() && body.countries.iter().all(|c| is_country(c)),
        "countries",
        "must list ISO 3166-1 alpha-2 codes such as AU",
    );
    fields.check(
        body.states.iter().all(|s| is_short_code(s)),
        "states",
        "must be state codes",
    );
    fields.check(
        body.postcodes.iter().all(|rule| match rule {
            PostcodeRule::Range { from, to } => from <= to,
            PostcodeRule::Exact { code } => is_short_code(code),
            PostcodeRule::Prefix { prefix } => is_short_code(prefix),
        }),
        "postcodes",
        "ranges need from ≤ to; codes and prefixes 1 to 12 characters",
    );
    fields.check(
        Money::is_stated_amount(body.rate.minor),
        "rate.minor",
        "must be 0 to 10000000000",
    );
    let currency = Currency::parse(&body.rate.currency);
    fields.check(
        currency.is_ok(),
        "rate.currency",
        "must be an ISO 4217 code such as AUD",
    );
    fields.finish()?;
    let currency = currency.map_err(ApiError::internal)?;
    let rules = ZoneRules {
        countries: body
            .countries
            .iter()
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        states: body
            .states
            .iter()
            .map(|s| s.trim().to_ascii_uppercase())
            .collect(),
        postcodes: body.postcodes,
    };
    Ok((
        name,
        rules,
        Money {
            minor: body.rate.minor,
            currency,
        },
    ))
}

/// The vendor's shipping zones, by name.
#[utoipa::path(
    tag = "shipping",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = Vec<ZoneView>),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/shipping-zones")]
pub async fn list_zones(
    state: web::Data<AppState>,
    access: VendorAccess,
) -> Result<web::Json<Vec<ZoneView>>, ApiError> {
    let zones = shipping_zones::list(&state.db, access.vendor_id()).await?;
    Ok(web::Json(zones.into_iter().map(ZoneView::from).collect()))
}

/// Adds a shipping zone.
#[utoipa::path(
    tag = "shipping",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    request_body = ZoneBody,
    responses(
        (status = 201, description = "Created.", body = ZoneView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "A zone with this name exists.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/shipping-zones")]
pub async fn create_zone(
    state: web::Data<AppState>,
    access: VendorAccess,
    body: web::Json<ZoneBody>,
) -> Result<HttpResponse, ApiError> {
    let (name, rules, rate) = validated(body.into_inner())?;
    let zone = shipping_zones::create(&state.db, access.vendor_id(), &name, &rules, rate).await?;
    Ok(HttpResponse::Created().json(ZoneView::from(zone)))
}

/// One shipping zone.
#[utoipa::path(
    tag = "shipping",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("zone_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = ZoneView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/shipping-zones/{zone_id}")]
pub async fn get_zone(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<ZoneView>, ApiError> {
    let (_, zone_id) = path.into_inner();
    let zone = shipping_zones::find(&state.db, access.vendor_id(), zone_id)
        .await?
        .ok_or_else(|| ApiError::no_such("shipping zone"))?;
    Ok(web::Json(ZoneView::from(zone)))
}

/// Replaces a shipping zone's name, rules and rate.
#[utoipa::path(
    tag = "shipping",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("zone_id" = Uuid, Path)),
    request_body = ZoneBody,
    responses(
        (status = 200, description = "OK.", body = ZoneView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 409, description = "A zone with this name exists.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[put("/api/v1/vendors/{vendor_id}/shipping-zones/{zone_id}")]
pub async fn replace_zone(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ZoneBody>,
) -> Result<web::Json<ZoneView>, ApiError> {
    let (_, zone_id) = path.into_inner();
    let (name, rules, rate) = validated(body.into_inner())?;
    let zone = shipping_zones::replace(&state.db, access.vendor_id(), zone_id, &name, &rules, rate)
        .await?
        .ok_or_else(|| ApiError::no_such("shipping zone"))?;
    Ok(web::Json(ZoneView::from(zone)))
}

/// Deletes a shipping zone.
#[utoipa::path(
    tag = "shipping",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("zone_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[delete("/api/v1/vendors/{vendor_id}/shipping-zones/{zone_id}")]
pub async fn delete_zone(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (_, zone_id) = path.into_inner();
    if shipping_zones::delete(&state.db, access.vendor_id(), zone_id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::no_such("shipping zone"))
    }
}

/// The zone (and rate) an address ships under, or 422 saying why there is none.
#[utoipa::path(
    tag = "shipping",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    request_body = AddressBody,
    responses(
        (status = 200, description = "The zone that covers the address.", body = ZoneView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 422, description = "No zone covers it (`no_shipping_zone`), or zones overlap (`overlapping_shipping_zones`).", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/shipping-zones/resolve")]
pub async fn resolve_zone(
    state: web::Data<AppState>,
    access: VendorAccess,
    body: web::Json<AddressBody>,
) -> Result<web::Json<ZoneView>, ApiError> {
    let body = body.into_inner();
    Fields::default()
        .check(
            is_country(&body.country),
            "country",
            "must be an ISO 3166-1 alpha-2 code",
        )
        .finish()?;
    let address = Address {
        country: body.country.to_ascii_uppercase(),
        state: body.state,
        postcode: body.postcode,
    };
    let zones = shipping_zones::list(&state.db, access.vendor_id()).await?;
    match shipping::resolve(&zones, &address, |zone| (zone.name.as_str(), &zone.rules)) {
        Ok(zone) => Ok(web::Json(ZoneView::from(zone.clone()))),
        Err(reason) => {
            let code = match reason {
                shipping::NoZone::Uncovered { .. } => "no_shipping_zone",
                shipping::NoZone::Ambiguous { .. } => "overlapping_shipping_zones",
            };
            Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                format!("{}.", crate::error::capitalise(&reason.to_string())),
            ))
        }
    }
}
