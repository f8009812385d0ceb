//! A stored value that names no variant of its column's enum fails the read through the
//! repository; it never turns into a default. The rows are corrupted with raw SQL, as a
//! hand edit or an older release could leave them.
#![allow(clippy::unwrap_used)]

use sea_orm::{ConnectionTrait, DatabaseConnection};
use trove_data_access::entities::storefront;
use trove_data_access::orders::{self, NewOrder};
use trove_data_access::storefronts::{self, StorefrontFields};
use trove_data_access::testing::TestDatabase;
use trove_data_access::{users, vendors};
use trove_domain::ids::{OrderId, VendorId};
use trove_domain::money::Currency;
use trove_domain::order::{Breakdown, OrderStatus};
use trove_domain::storefront::StorefrontStatus;

async fn shop(db: &DatabaseConnection) -> (VendorId, storefront::Model) {
    let owner = users::upsert_from_token(db, "test|owner", "owner@example.com")
        .await
        .unwrap();
    let vendor = vendors::create_with_owner(db, "Acme", None, owner.id.into())
        .await
        .unwrap();
    let vendor = VendorId::from(vendor.id);
    let fields = StorefrontFields {
        slug: "acme".into(),
        custom_domain: None,
        name: "Acme".into(),
        delivery_methods_json: r#"["email_link"]"#.into(),
        fee_transfer_mode: trove_domain::storefront::FeeTransferMode::None,
        gift_notes: true,
        show_stock: false,
        branding_json: "{}".into(),
        content_json: "{}".into(),
    };
    let shop = storefronts::create(db, vendor, fields).await.unwrap();
    (vendor, shop)
}

fn order(vendor: VendorId, storefront_id: uuid::Uuid) -> NewOrder {
    NewOrder {
        vendor,
        storefront_id,
        customer_email: "buyer@example.com".into(),
        customer_name: "Buyer".into(),
        payment_method: "bank_transfer".into(),
        fee_basis_points: 0,
        breakdown: Breakdown {
            currency: Currency::parse("AUD").unwrap(),
            items_per_recipient_minor: 0,
            recipients: 0,
            items_minor: 0,
            shipping_minor: 0,
            platform_fee_minor: 0,
            fee_charged_to_shopper_minor: 0,
            total_minor: 0,
            vendor_receives_minor: 0,
        },
        budget_minor: None,
        lines: Vec::new(),
        recipients: Vec::new(),
        payment_intent_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_order_status_fails_the_read() {
    let database = TestDatabase::create().await;
    let db = &database.db;
    let (vendor, shop) = shop(db).await;
    let id = OrderId::new();
    orders::create(db, id, order(vendor, shop.id), "test")
        .await
        .unwrap();
    let stored = orders::find(db, vendor, id.as_uuid()).await.unwrap();
    assert_eq!(
        stored.map(|detail| detail.order.status),
        Some(OrderStatus::Created)
    );

    db.execute_unprepared("UPDATE orders SET status = 'lost'")
        .await
        .unwrap();

    let error = orders::find(db, vendor, id.as_uuid()).await.unwrap_err();
    assert!(
        error.to_string().contains(r#"unknown order status "lost""#),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_storefront_status_fails_the_read() {
    let database = TestDatabase::create().await;
    let db = &database.db;
    let (vendor, shop) = shop(db).await;
    let stored = storefronts::find(db, vendor, shop.id).await.unwrap();
    assert_eq!(
        stored.map(|row| row.status),
        Some(StorefrontStatus::ForReview)
    );

    db.execute_unprepared("UPDATE storefronts SET status = 'closed'")
        .await
        .unwrap();

    let error = storefronts::find(db, vendor, shop.id).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains(r#"unknown storefront status "closed""#),
        "{error}"
    );
    let listed = storefronts::list(db, vendor, 1, 20).await;
    assert!(listed.is_err(), "a list holding the row fails too");
}
