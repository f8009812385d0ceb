//! Schemas of request fields that literal attributes cannot state: values that are Rust
//! constants (each status enum's `ALL`), built from those constants so the document lists
//! exactly what the server parses, and rules on the items of a list. Request types name
//! them with `#[schema(schema_with = ...)]` (or `#[param(...)]`); bounds written as
//! literals in attributes are checked against the code by the tests of `openapi::contract`.
//! `schema_with` leaves the field's doc comment out, so what a client must know about the
//! value is said here.

use serde_json::Value;
use trove_domain::order::OrderStatus;
use trove_domain::product::ProductStatus;
use trove_domain::recipient_csv::Template;
use trove_domain::storefront::{DeliveryMethod, FeeTransferMode, StorefrontStatus};
use trove_domain::upload::UploadPurpose;
use trove_domain::vendor::{OnboardingStatus, VendorRole};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, SchemaType, Type};
use utoipa::openapi::{Array, Object};

fn one_of<const N: usize>(values: [&str; N]) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
}

/// `one_of`, or `null` for a field that may be left out.
fn optional_one_of<const N: usize>(values: [&str; N]) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(
            values.into_iter().map(Value::from).chain([Value::Null]),
        ))
        .build()
}

pub fn delivery_method() -> Object {
    one_of(DeliveryMethod::ALL.map(DeliveryMethod::as_str)).build()
}

pub fn delivery_methods() -> Array {
    ArrayBuilder::new()
        .items(delivery_method())
        .min_items(Some(1))
        .description(Some(
            "The delivery methods the storefront offers; at least one.",
        ))
        .build()
}

pub fn fee_transfer_mode() -> Object {
    one_of(FeeTransferMode::ALL.map(FeeTransferMode::as_str))
        .description(Some("How much of the platform fee the shopper pays."))
        .build()
}

pub fn storefront_status() -> Object {
    one_of(StorefrontStatus::ALL.map(StorefrontStatus::as_str)).build()
}

pub fn product_status() -> Object {
    one_of(ProductStatus::ALL.map(ProductStatus::as_str)).build()
}

/// `draft` when absent.
pub fn optional_product_status() -> Object {
    let mut schema = optional_one_of(ProductStatus::ALL.map(ProductStatus::as_str));
    schema.description = Some("`draft` when absent.".into());
    schema
}

pub fn order_status() -> Object {
    one_of(OrderStatus::ALL.map(OrderStatus::as_str)).build()
}

pub fn vendor_role() -> Object {
    one_of(VendorRole::ALL.map(VendorRole::as_str)).build()
}

pub fn onboarding_status() -> Object {
    one_of(OnboardingStatus::ALL.map(OnboardingStatus::as_str)).build()
}

pub fn upload_purpose() -> Object {
    one_of(UploadPurpose::ALL.map(UploadPurpose::as_str))
        .description(Some(
            "What the file is for; each purpose has its own content types and size limit.",
        ))
        .build()
}

/// At least one ISO 3166-1 alpha-2 country code.
pub fn country_codes() -> Array {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[A-Za-z]{2}$")),
        )
        .min_items(Some(1))
        .description(Some(
            "ISO 3166-1 alpha-2 codes, e.g. `[\"AU\"]`; at least one.",
        ))
        .build()
}

/// A state or postcode code: 1–12 characters, not blank.
fn short_code() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(12))
        .pattern(Some(r"\S"))
}

pub fn state_codes() -> Array {
    ArrayBuilder::new()
        .items(short_code())
        .description(Some("State codes; empty or absent means every state."))
        .build()
}

/// `PostcodeRule` as the server reads it: `range` (`from` ≤ `to`), `exact` or `prefix`.
pub fn postcode_rules() -> Array {
    let rule = |kind: &str, fields: Vec<(&str, ObjectBuilder)>| {
        let mut rule = ObjectBuilder::new()
            .property("type", one_of([kind]))
            .required("type");
        for (name, schema) in fields {
            rule = rule.property(name, schema).required(name);
        }
        rule.build()
    };
    let number = || {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(u32::MAX))
    };
    ArrayBuilder::new()
        .items(
            OneOfBuilder::new()
                .item(rule("range", vec![("from", number()), ("to", number())]))
                .item(rule("exact", vec![("code", short_code())]))
                .item(rule("prefix", vec![("prefix", short_code())])),
        )
        .description(Some(
            "`{\"type\": \"range\", \"from\": 2000, \"to\": 2234}` (`from` ≤ `to`), \
             `{\"type\": \"exact\", \"code\": \"6011\"}` or `{\"type\": \"prefix\", \"prefix\": \"SW1\"}`; \
             empty or absent means every postcode.",
        ))
        .build()
}

/// The country of a recipient template (`UK` is also read as `GB`).
pub fn template_country() -> Object {
    one_of(Template::ALL.map(Template::country))
        .description(Some(
            "The address format of the file (`UK` is also read as `GB`).",
        ))
        .build()
}
