//! Catalogue imports from Shopify: one row per sync a vendor asked for (its status and
//! counts, the progress the Admin Portal shows), and on each product a fingerprint of the
//! Shopify content it was last imported from, so an unchanged product is not rewritten.

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
                    .table(ShopifySyncs::Table)
                    .col(pk_uuid(ShopifySyncs::Id))
                    .col(uuid(ShopifySyncs::VendorId))
                    .col(string_len(ShopifySyncs::Status, 16))
                    .col(integer(ShopifySyncs::Seen).default(0).to_owned())
                    .col(integer(ShopifySyncs::Created).default(0).to_owned())
                    .col(integer(ShopifySyncs::Updated).default(0).to_owned())
                    .col(integer(ShopifySyncs::Unchanged).default(0).to_owned())
                    .col(integer(ShopifySyncs::Archived).default(0).to_owned())
                    .col(integer(ShopifySyncs::Failed).default(0).to_owned())
                    .col(text(ShopifySyncs::Failures))
                    .col(string_len_null(ShopifySyncs::Error, 1000))
                    .col(at.required(ShopifySyncs::CreatedAt))
                    .col(at.optional(ShopifySyncs::StartedAt))
                    .col(at.optional(ShopifySyncs::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shopify_syncs_vendor")
                            .from(ShopifySyncs::Table, ShopifySyncs::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_shopify_syncs_vendor")
                    .table(ShopifySyncs::Table)
                    .col(ShopifySyncs::VendorId)
                    .col(ShopifySyncs::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .add_column(string_len_null(Products::SourceHash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_products_vendor_external")
                    .table(Products::Table)
                    .col(Products::VendorId)
                    .col(Products::ExternalId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_products_vendor_external")
                    .table(Products::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .drop_column(Products::SourceHash)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ShopifySyncs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ShopifySyncs {
    Table,
    Id,
    VendorId,
    Status,
    Seen,
    Created,
    Updated,
    Unchanged,
    Archived,
    Failed,
    Failures,
    Error,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    VendorId,
    ExternalId,
    SourceHash,
}
