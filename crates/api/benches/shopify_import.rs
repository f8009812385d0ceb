//! `just bench-shopify`: products imported per second from the Shopify stand-in (pages of
//! `catalogue::PAGE_SIZE`, each product with two variants, an option and an image), for a
//! first import and for a re-sync that finds nothing changed, on the database
//! `TEST_DATABASE_URL` names (SQLite when unset). Prints figures; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;
use support::fake_shopify::FakeShopify;
use support::shopify::{connected, spawn, sync_once};
use trove_api::auth::TokenType;

const PRODUCTS: usize = 5_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let fake = FakeShopify::start().await;
    let app = spawn(&fake).await;
    let owner = app.token(TokenType::Vendor, "owner@example.com");
    let vendor = app.create_vendor(&owner, "Bench").await;
    let shop = "bench-shop.myshopify.com";
    connected(&app, &fake, &owner, &vendor, shop).await;
    fake.stock_catalogue(shop, PRODUCTS);
    let backend = app.database.url.split(':').next().unwrap_or("?").to_owned();
    for label in ["first import", "unchanged re-sync"] {
        let started = Instant::now();
        let sync = sync_once(&app, &owner, &vendor).await;
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(sync["status"], "succeeded", "{sync}");
        println!(
            "shopify import  {backend:8} {label:18} {PRODUCTS} products in {seconds:6.2} s = {:7.0} products/s",
            PRODUCTS as f64 / seconds
        );
    }
}
