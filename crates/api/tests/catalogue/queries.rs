//! How many statements the public storefront read issues as the offering grows.

use crate::support::TestApp;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use trove_api::auth::TokenType;
use trove_data_access::products::{NewVariant, ProductFields};
use trove_data_access::storefronts;
use trove_domain::ids::VendorId;
use trove_domain::money::{Currency, Money};

/// The public read issues the same few statements for 5 products and for 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_read_takes_a_constant_number_of_queries() {
    let app = TestApp::spawn().await;
    let ann = app.token(TokenType::Vendor, "ann@example.com");
    let vendor =
        VendorId::from(uuid::Uuid::parse_str(&app.create_vendor(&ann, "Acme").await).unwrap());
    let db = &app.database.db;
    let mut counts = Vec::new();
    for (slug, size) in [("small-shop", 5usize), ("large-shop", 500)] {
        let fields = trove_data_access::storefronts::StorefrontFields {
            slug: slug.into(),
            custom_domain: None,
            name: slug.into(),
            delivery_methods_json: r#"["email_link"]"#.into(),
            fee_transfer_mode: trove_domain::storefront::FeeTransferMode::None,
            gift_notes: true,
            show_stock: false,
            branding_json: "{}".into(),
            content_json: "{}".into(),
        };
        let shop = storefronts::create(db, vendor, fields).await.unwrap();
        storefronts::set_status(
            db,
            shop.clone(),
            trove_domain::storefront::StorefrontStatus::Active,
        )
        .await
        .unwrap();
        let mut items = Vec::new();
        for n in 0..size {
            let created = trove_data_access::products::create(
                db,
                vendor,
                ProductFields {
                    title: format!("{slug} {n}"),
                    description: None,
                    status: trove_domain::product::ProductStatus::Active,
                    attributes_json: "{}".into(),
                    customisation_json: "[]".into(),
                    image_ids_json: "[]".into(),
                    variants: vec![NewVariant {
                        sku: format!("{slug}-{n}"),
                        title: None,
                        price: Money {
                            minor: 100,
                            currency: Currency::parse("AUD").unwrap(),
                        },
                        stock: None,
                        weight_grams: None,
                    }],
                },
            )
            .await
            .unwrap();
            items.push((created.product.id, None));
        }
        storefronts::set_offering(db, vendor, shop.id, &items)
            .await
            .unwrap();

        let statements = Arc::new(AtomicUsize::new(0));
        let mut counted =
            trove_data_access::connect(&trove_bootstrap::settings::DatabaseSettings {
                url: app.database.url.clone().into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let counter = statements.clone();
        counted.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let found = storefronts::find_public(&counted, slug, false)
            .await
            .unwrap()
            .unwrap();
        let offered = storefronts::offering(&counted, found.id, true)
            .await
            .unwrap();
        assert_eq!(offered.len(), size);
        counts.push(statements.load(Ordering::SeqCst));
    }
    assert_eq!(
        counts[0], counts[1],
        "statements for 5 vs 500 products: {counts:?}"
    );
    assert!(counts[0] <= 4, "{counts:?}");
}
