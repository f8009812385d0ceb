//! Uploaded files, product images (ordered upload ids as JSON text) and the storefront
//! password (a PBKDF2 hash string; null when the storefront is open).

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
                    .table(Uploads::Table)
                    .col(pk_uuid(Uploads::Id))
                    .col(uuid(Uploads::VendorId))
                    .col(string_len(Uploads::Purpose, 32))
                    .col(string_len(Uploads::ContentType, 100))
                    .col(big_integer(Uploads::SizeBytes))
                    .col(string_len_uniq(Uploads::StorageKey, 255))
                    .col(string_len(Uploads::Status, 16))
                    .col(uuid_null(Uploads::CreatedBy))
                    .col(at.required(Uploads::CreatedAt))
                    .col(at.optional(Uploads::ConfirmedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_uploads_vendor")
                            .from(Uploads::Table, Uploads::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_uploads_vendor")
                    .table(Uploads::Table)
                    .col(Uploads::VendorId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .add_column(string_len(Products::ImageIds, 1000).default("[]"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Storefronts::Table)
                    .add_column(string_len_null(Storefronts::PasswordHash, 255))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Storefronts::Table)
                    .drop_column(Storefronts::PasswordHash)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .drop_column(Products::ImageIds)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Uploads::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Uploads {
    Table,
    Id,
    VendorId,
    Purpose,
    ContentType,
    SizeBytes,
    StorageKey,
    Status,
    CreatedBy,
    CreatedAt,
    ConfirmedAt,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    ImageIds,
}

#[derive(DeriveIden)]
enum Storefronts {
    Table,
    PasswordHash,
}
