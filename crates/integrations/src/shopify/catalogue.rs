//! Reading a shop's catalogue a page at a time (cursor pagination over `products`, ordered by
//! id), so memory stays bounded by one page whatever the shop's size; each page waits out the
//! cost throttle through [`Admin::query`]. Products are read leniently: a field this version
//! does not know is ignored, a missing optional one is `None`.

use super::ShopifyError;
use super::admin::Admin;
use serde::Deserialize;
use serde_json::json;

/// Products per page. With up to `VARIANTS` variants and `IMAGES` images each, a page's
/// requested cost stays under Shopify's 1,000-point single-query ceiling.
pub const PAGE_SIZE: u32 = 20;
const VARIANTS: u32 = 30;
const IMAGES: u32 = 5;

const PRODUCTS: &str =
    "query Products($first: Int!, $after: String, $variants: Int!, $images: Int!) {
  products(first: $first, after: $after, sortKey: ID) {
    nodes {
      id title descriptionHtml status
      options { name values }
      media(first: $images) { nodes { ... on MediaImage { image { url altText } } } }
      variants(first: $variants) { nodes { id sku title price inventoryQuantity } }
    }
    pageInfo { hasNextPage endCursor }
  }
}";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopifyProduct {
    /// `gid://shopify/Product/…`
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description_html: Option<String>,
    /// `ACTIVE`, `DRAFT` or `ARCHIVED`.
    pub status: String,
    #[serde(default)]
    pub options: Vec<ProductOption>,
    #[serde(default)]
    media: Nodes<Media>,
    #[serde(default)]
    variants: Nodes<ShopifyVariant>,
}

impl ShopifyProduct {
    pub fn variants(&self) -> &[ShopifyVariant] {
        &self.variants.nodes
    }

    /// The image URLs, in the shop's order.
    pub fn image_urls(&self) -> Vec<&str> {
        self.media
            .nodes
            .iter()
            .filter_map(|media| media.image.as_ref().map(|image| image.url.as_str()))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductOption {
    pub name: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopifyVariant {
    /// `gid://shopify/ProductVariant/…`
    pub id: String,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// A decimal in the shop's currency, e.g. `"19.99"`.
    pub price: String,
    #[serde(default)]
    pub inventory_quantity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

impl<T> Default for Nodes<T> {
    fn default() -> Self {
        Self { nodes: Vec::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Media {
    #[serde(default)]
    image: Option<Image>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Image {
    url: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductsPage {
    nodes: Vec<ShopifyProduct>,
    page_info: PageInfo,
}

/// One page of products and the cursor of the next (`None` after the last).
#[derive(Debug)]
pub struct Page {
    pub products: Vec<ShopifyProduct>,
    pub next: Option<String>,
}

impl Admin<'_> {
    /// The page of products after `cursor` (the first page without one).
    pub async fn products_page(&self, cursor: Option<&str>) -> Result<Page, ShopifyError> {
        let data = self
            .query(
                PRODUCTS,
                json!({ "first": PAGE_SIZE, "after": cursor, "variants": VARIANTS, "images": IMAGES }),
            )
            .await?;
        let page: ProductsPage = serde_json::from_value(data["products"].clone())
            .map_err(|error| ShopifyError::Protocol(format!("a products page: {error}")))?;
        let next =
            if page.page_info.has_next_page {
                Some(page.page_info.end_cursor.ok_or_else(|| {
                    ShopifyError::Protocol("hasNextPage without an endCursor".into())
                })?)
            } else {
                None
            };
        Ok(Page {
            products: page.nodes,
            next,
        })
    }
}
