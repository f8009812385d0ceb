//! Storefronts: per vendor, a unique slug and optional custom domain, status, delivery
//! methods and fee mode, and branding/content as JSON text (portable across backends).

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
                    .table(Storefronts::Table)
                    .col(pk_uuid(Storefronts::Id))
                    .col(uuid(Storefronts::VendorId))
                    .col(string_len_uniq(Storefronts::Slug, 63))
                    .col(string_len_null(Storefronts::CustomDomain, 253).unique_key())
                    .col(string_len(Storefronts::Name, 200))
                    .col(string_len(Storefronts::Status, 16))
                    .col(text(Storefronts::DeliveryMethods))
                    .col(string_len(Storefronts::FeeTransferMode, 8))
                    .col(boolean(Storefronts::GiftNotes))
                    .col(boolean(Storefronts::ShowStock))
                    .col(text(Storefronts::Branding))
                    .col(text(Storefronts::Content))
                    .col(at.required(Storefronts::CreatedAt))
                    .col(at.required(Storefronts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_storefronts_vendor")
                            .from(Storefronts::Table, Storefronts::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_storefronts_vendor")
                    .table(Storefronts::Table)
                    .col(Storefronts::VendorId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Storefronts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Storefronts {
    Table,
    Id,
    VendorId,
    Slug,
    CustomDomain,
    Name,
    Status,
    DeliveryMethods,
    FeeTransferMode,
    GiftNotes,
    ShowStock,
    Branding,
    Content,
    CreatedAt,
    UpdatedAt,
}
