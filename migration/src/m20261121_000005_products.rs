//! Products with their variants, and which products each storefront offers.

use crate::instants::Instants;
use crate::m20261121_000001_foundation::Vendors;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let at = Instants(manager.get_database_backend());
        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(pk_uuid(Products::Id))
                    .col(uuid(Products::VendorId))
                    .col(string_len(Products::Title, 200))
                    .col(text_null(Products::Description))
                    .col(string_len(Products::Status, 16))
                    .col(string_len(Products::Source, 16))
                    .col(string_len_null(Products::ExternalId, 64))
                    .col(text(Products::Attributes))
                    .col(text(Products::CustomisationOptions))
                    .col(at.required(Products::CreatedAt))
                    .col(at.required(Products::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_products_vendor")
                            .from(Products::Table, Products::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_products_vendor_status")
                    .table(Products::Table)
                    .col(Products::VendorId)
                    .col(Products::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProductVariants::Table)
                    .col(pk_uuid(ProductVariants::Id))
                    .col(uuid(ProductVariants::ProductId))
                    .col(uuid(ProductVariants::VendorId))
                    .col(string_len(ProductVariants::Sku, 64))
                    .col(string_len_null(ProductVariants::Title, 200))
                    .col(big_integer(ProductVariants::PriceMinor))
                    .col(string_len(ProductVariants::Currency, 3))
                    .col(integer_null(ProductVariants::Stock))
                    .col(integer_null(ProductVariants::WeightGrams))
                    .col(integer(ProductVariants::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_product_variants_product")
                            .from(ProductVariants::Table, ProductVariants::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_product_variants_vendor_sku")
                    .table(ProductVariants::Table)
                    .col(ProductVariants::VendorId)
                    .col(ProductVariants::Sku)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_product_variants_product")
                    .table(ProductVariants::Table)
                    .col(ProductVariants::ProductId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StorefrontProducts::Table)
                    .col(pk_uuid(StorefrontProducts::Id))
                    .col(uuid(StorefrontProducts::StorefrontId))
                    .col(uuid(StorefrontProducts::ProductId))
                    .col(big_integer_null(StorefrontProducts::PriceOverrideMinor))
                    .col(integer(StorefrontProducts::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_storefront_products_storefront")
                            .from(StorefrontProducts::Table, StorefrontProducts::StorefrontId)
                            .to(Storefronts::Table, Storefronts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_storefront_products_product")
                            .from(StorefrontProducts::Table, StorefrontProducts::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_storefront_products_pair")
                    .table(StorefrontProducts::Table)
                    .col(StorefrontProducts::StorefrontId)
                    .col(StorefrontProducts::ProductId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StorefrontProducts::Table.into_iden(),
            ProductVariants::Table.into_iden(),
            Products::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Storefronts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    VendorId,
    Title,
    Description,
    Status,
    Source,
    ExternalId,
    Attributes,
    CustomisationOptions,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
    ProductId,
    VendorId,
    Sku,
    Title,
    PriceMinor,
    Currency,
    Stock,
    WeightGrams,
    Position,
}

#[derive(DeriveIden)]
enum StorefrontProducts {
    Table,
    Id,
    StorefrontId,
    ProductId,
    PriceOverrideMinor,
    Position,
}
