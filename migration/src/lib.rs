//! Trove's database schema as an ordered list of SeaORM migrations.
//!
//! Policy: a migration describes tables with `sea-orm-migration`'s schema builder only and
//! imports nothing from the rest of the workspace (no entities), so old migrations keep
//! compiling as the code moves on. A released migration is never edited; add a new one.

pub use sea_orm_migration::prelude::*;

mod instants;
mod m20261121_000001_foundation;
mod m20261121_000002_access;
mod m20261121_000003_shipping_zones;
mod m20261121_000004_storefronts;
mod m20261121_000005_products;
mod m20261121_000006_files;
mod m20261121_000007_storefront_shipping;
mod m20261121_000008_orders;
mod m20261121_000009_recipient_lists;
mod m20261122_000010_payments;
mod m20261201_000011_job_lanes;
mod m20261201_000012_storefront_versions;
mod m20261208_000013_shopify;
mod m20261208_000014_shopify_syncs;

#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_foundation::Migration),
            Box::new(m20261121_000002_access::Migration),
            Box::new(m20261121_000003_shipping_zones::Migration),
            Box::new(m20261121_000004_storefronts::Migration),
            Box::new(m20261121_000005_products::Migration),
            Box::new(m20261121_000006_files::Migration),
            Box::new(m20261121_000007_storefront_shipping::Migration),
            Box::new(m20261121_000008_orders::Migration),
            Box::new(m20261121_000009_recipient_lists::Migration),
            Box::new(m20261122_000010_payments::Migration),
            Box::new(m20261201_000011_job_lanes::Migration),
            Box::new(m20261201_000012_storefront_versions::Migration),
            Box::new(m20261208_000013_shopify::Migration),
            Box::new(m20261208_000014_shopify_syncs::Migration),
        ]
    }
}
