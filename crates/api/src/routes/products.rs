//! A vendor's products with their variants: list (paginated, filtered, sorted), create,
//! read, replace, and change the status of many at once.

use crate::auth::guards::VendorAccess;
use crate::error::{ApiError, ErrorBody};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use crate::validation::{Fields, paging};
use crate::views::product::ProductView;
use actix_web::{HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use trove_app::idempotency;
use trove_data_access::products::{self, NewVariant, ProductFields, ProductQuery, ProductSort};
use trove_domain::ids::VendorId;
use trove_domain::money::{Currency, Money};
use trove_domain::product::ProductStatus;
use trove_domain::upload::UploadPurpose;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

const MAX_IMAGES: usize = 10;

pub use trove_app::catalogue::{CustomisationOption, Price};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantBody {
    /// Unique within the vendor, 1–64 characters.
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    pub title: Option<String>,
    pub price: Price,
    /// Absent when stock is not tracked.
    #[schema(minimum = 0)]
    pub stock: Option<i32>,
    #[schema(minimum = 0)]
    pub weight_grams: Option<i32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// `draft` (default), `active` or `archived`.
    #[schema(schema_with = crate::openapi::rules::optional_product_status)]
    pub status: Option<String>,
    /// Free-form name → value pairs, e.g. `{"colour": "red"}`.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub customisation_options: Vec<CustomisationOption>,
    /// Up to 10 confirmed `product_image` uploads of this vendor, in display order.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub image_upload_ids: Vec<Uuid>,
    /// At least one.
    #[schema(min_items = 1)]
    pub variants: Vec<VariantBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductPage {
    pub items: Vec<ProductView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    /// `draft`, `active` or `archived`.
    #[param(schema_with = crate::openapi::rules::product_status)]
    pub status: Option<String>,
    /// Part of the title or of a variant's SKU, case-insensitive.
    pub q: Option<String>,
    /// `created_at` (default, newest first: `-created_at`), `title`, `-title`.
    #[param(pattern = "^-?(created_at|title)$")]
    pub sort: Option<String>,
    pub page: Option<u64>,
    /// 1–100 (default 20).
    pub per_page: Option<u64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkStatus {
    #[schema(min_items = 1, max_items = 500)]
    pub product_ids: Vec<Uuid>,
    #[schema(schema_with = crate::openapi::rules::product_status)]
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    pub updated: u64,
}

fn validated(body: ProductBody) -> Result<ProductFields, ApiError> {
    let mut fields = Fields::default();
    let title = body.title.trim().to_owned();
    let status = body
        .status
        .as_deref()
        .map_or(Ok(ProductStatus::Draft), str::parse::<ProductStatus>);
    fields
        .check(
            crate::validation::is_name(&title),
            "title",
            "must be 1 to 200 characters",
        )
        .check(
            body.description
                .as_ref()
                .is_none_or(|d| d.chars().count() <= 10_000),
            "description",
            "must be at most 10000 characters",
        )
        .check(
            status.is_ok(),
            "status",
            "must be draft, active or archived",
        )
        .check(
            !body.variants.is_empty(),
            "variants",
            "must have at least one variant",
        )
        .check(
            body.image_upload_ids.len() <= MAX_IMAGES,
            "image_upload_ids",
            "must list at most 10 images",
        )
        .check(
            body.customisation_options
                .iter()
                .all(|o| !o.label.trim().is_empty() && (1..=500).contains(&o.max_length)),
            "customisation_options",
            "need a label and a max_length of 1 to 500",
        );
    let mut variants = Vec::with_capacity(body.variants.len());
    let mut skus = std::collections::HashSet::new();
    for (index, variant) in body.variants.iter().enumerate() {
        let sku = variant.sku.trim().to_owned();
        let currency = Currency::parse(&variant.price.currency);
        let at = |field: &str| format!("variants[{index}].{field}");
        fields
            .check(
                (1..=64).contains(&sku.len()) && skus.insert(sku.clone()),
                &at("sku"),
                "must be 1 to 64 characters and unique",
            )
            .check(
                Money::is_stated_amount(variant.price.minor),
                &at("price.minor"),
                "must be 0 to 10000000000",
            )
            .check(
                currency.is_ok(),
                &at("price.currency"),
                "must be an ISO 4217 code such as AUD",
            )
            .check(
                variant.stock.is_none_or(|s| s >= 0),
                &at("stock"),
                "must be 0 or more",
            )
            .check(
                variant.weight_grams.is_none_or(|w| w >= 0),
                &at("weight_grams"),
                "must be 0 or more",
            );
        if let Ok(currency) = currency {
            variants.push(NewVariant {
                sku,
                title: variant.title.clone(),
                price: Money {
                    minor: variant.price.minor,
                    currency,
                },
                stock: variant.stock,
                weight_grams: variant.weight_grams,
            });
        }
    }
    let currencies: std::collections::HashSet<_> =
        variants.iter().map(|v| v.price.currency).collect();
    fields.check(
        currencies.len() <= 1,
        "variants",
        "must all be priced in one currency",
    );
    fields.finish()?;
    Ok(ProductFields {
        title,
        description: body.description,
        status: status.map_err(ApiError::internal)?,
        attributes_json: serde_json::to_string(&body.attributes).map_err(ApiError::internal)?,
        customisation_json: serde_json::to_string(&body.customisation_options)
            .map_err(ApiError::internal)?,
        image_ids_json: serde_json::to_string(&body.image_upload_ids)
            .map_err(ApiError::internal)?,
        variants,
    })
}

async fn require_images(state: &AppState, vendor: VendorId, ids: &[Uuid]) -> Result<(), ApiError> {
    let fields: Vec<String> = (0..ids.len())
        .map(|index| format!("image_upload_ids[{index}]"))
        .collect();
    let attachments: Vec<_> = fields
        .iter()
        .zip(ids)
        .map(|(field, id)| (field.as_str(), *id, UploadPurpose::ProductImage))
        .collect();
    crate::attachments::require_attachable(state, vendor, &attachments).await
}

/// The vendor's products, paginated, filtered by status and text, sorted.
#[utoipa::path(
    tag = "products",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ProductListQuery),
    responses(
        (status = 200, description = "OK.", body = ProductPage),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 422, description = "Invalid query; see details.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    access: VendorAccess,
    query: web::Query<ProductListQuery>,
) -> Result<web::Json<ProductPage>, ApiError> {
    let query = query.into_inner();
    let mut fields = Fields::default();
    let status = query.status.as_deref().map(str::parse::<ProductStatus>);
    let sort = match query.sort.as_deref() {
        None | Some("-created_at") => Some(ProductSort::Newest),
        Some("created_at") => Some(ProductSort::Oldest),
        Some("title") => Some(ProductSort::TitleAscending),
        Some("-title") => Some(ProductSort::TitleDescending),
        Some(_) => None,
    };
    fields
        .check(
            sort.is_some(),
            "sort",
            "must be created_at, -created_at, title or -title",
        )
        .check(
            status.as_ref().is_none_or(Result::is_ok),
            "status",
            "must be draft, active or archived",
        );
    let (page, per_page) = paging(&mut fields, query.page, query.per_page)?;
    let filter = ProductQuery {
        status: status.and_then(Result::ok),
        search: query.q.filter(|q| !q.trim().is_empty()),
        sort: sort.unwrap_or_default(),
    };
    let (items, total) =
        products::list(&state.db, access.vendor_id(), &filter, page, per_page).await?;
    Ok(web::Json(ProductPage {
        items: items.into_iter().map(ProductView::from).collect(),
        page,
        per_page,
        total,
    }))
}

/// Creates a product with its variants.
#[utoipa::path(
    tag = "products",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), Idempotency),
    request_body = ProductBody,
    responses(
        (status = 201, description = "Created.", body = ProductView),
        (status = 400, description = "Malformed Idempotency-Key.", body = ErrorBody),
        (status = 404, description = "Not found or not visible to this caller (the vendor, the product, or an image upload).", body = ErrorBody),
        (status = 409, description = "A SKU is already the vendor's, or a request with this Idempotency-Key is still running.", body = ErrorBody),
        (status = 422, description = "Invalid fields, or the key was used with another body.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    access: VendorAccess,
    idempotency: Idempotency,
    body: web::Json<ProductBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let key = idempotency.key(format!("products:{}", access.vendor_id()), &body)?;
    let images = body.image_upload_ids.clone();
    let fields = validated(body)?;
    require_images(&state, access.vendor_id(), &images).await?;
    let answer = idempotency::create_once(&state.app, key, async |uow| {
        let product = products::create(&**uow, access.vendor_id(), fields).await?;
        Ok(ProductView::from(product))
    })
    .await?;
    Ok(crate::idempotency::respond(answer))
}

/// One product with its variants.
#[utoipa::path(
    tag = "products",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("product_id" = Uuid, Path)),
    responses(
        (status = 200, description = "OK.", body = ProductView),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
    )
)]
#[get("/api/v1/vendors/{vendor_id}/products/{product_id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<web::Json<ProductView>, ApiError> {
    let product = products::find(&state.db, access.vendor_id(), path.1)
        .await?
        .ok_or_else(|| ApiError::no_such("product"))?;
    Ok(web::Json(ProductView::from(product)))
}

/// Replaces a product and all its variants.
#[utoipa::path(
    tag = "products",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path), ("product_id" = Uuid, Path)),
    request_body = ProductBody,
    responses(
        (status = 200, description = "OK.", body = ProductView),
        (status = 404, description = "Not found or not visible to this caller (the vendor, the product, or an image upload).", body = ErrorBody),
        (status = 409, description = "A SKU is already the vendor's.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[put("/api/v1/vendors/{vendor_id}/products/{product_id}")]
pub async fn replace_product(
    state: web::Data<AppState>,
    access: VendorAccess,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<ProductBody>,
) -> Result<web::Json<ProductView>, ApiError> {
    let body = body.into_inner();
    let images = body.image_upload_ids.clone();
    let fields = validated(body)?;
    require_images(&state, access.vendor_id(), &images).await?;
    let product = products::replace(&state.db, access.vendor_id(), path.1, fields)
        .await?
        .ok_or_else(|| ApiError::no_such("product"))?;
    Ok(web::Json(ProductView::from(product)))
}

/// Sets the status of many products at once; ids of other vendors' products are ignored.
#[utoipa::path(
    tag = "products",
    security(("bearer" = [])),
    params(("vendor_id" = Uuid, Path)),
    request_body = BulkStatus,
    responses(
        (status = 200, description = "How many changed.", body = BulkResult),
        (status = 404, description = "Not found, or not visible to this caller.", body = ErrorBody),
        (status = 422, description = "Invalid fields; see details.", body = ErrorBody),
    )
)]
#[post("/api/v1/vendors/{vendor_id}/products/status")]
pub async fn bulk_product_status(
    state: web::Data<AppState>,
    access: VendorAccess,
    body: web::Json<BulkStatus>,
) -> Result<web::Json<BulkResult>, ApiError> {
    let body = body.into_inner();
    let status = body.status.parse::<ProductStatus>();
    Fields::default()
        .check(
            (1..=500).contains(&body.product_ids.len()),
            "product_ids",
            "must list 1 to 500 products",
        )
        .check(
            status.is_ok(),
            "status",
            "must be draft, active or archived",
        )
        .finish()?;
    let status = status.map_err(ApiError::internal)?;
    let updated =
        products::set_status(&state.db, access.vendor_id(), &body.product_ids, status).await?;
    Ok(web::Json(BulkResult { updated }))
}
