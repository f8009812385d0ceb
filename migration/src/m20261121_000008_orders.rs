//! Orders placed on storefronts: the priced order (a budget when each recipient chooses
//! their gift), its line items (one fixed gift), its
//! recipients (each with their own address, zone, delivery method, status, hashed
//! redemption code and the variants they picked) and the append-only event log of every status change.

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
                    .table(Orders::Table)
                    .col(pk_uuid(Orders::Id))
                    .col(uuid(Orders::VendorId))
                    .col(uuid(Orders::StorefrontId))
                    .col(string_len(Orders::CustomerEmail, 254))
                    .col(string_len(Orders::CustomerName, 200))
                    .col(string_len(Orders::Status, 16))
                    .col(string_len(Orders::PaymentMethod, 16))
                    .col(string_len(Orders::Currency, 3))
                    .col(big_integer(Orders::ItemsPerRecipientMinor))
                    .col(big_integer(Orders::ItemsMinor))
                    .col(big_integer(Orders::ShippingMinor))
                    .col(integer(Orders::FeeBasisPoints))
                    .col(big_integer(Orders::PlatformFeeMinor))
                    .col(big_integer(Orders::FeeChargedMinor))
                    .col(big_integer(Orders::TotalMinor))
                    .col(big_integer_null(Orders::BudgetMinor))
                    .col(at.required(Orders::CreatedAt))
                    .col(at.required(Orders::UpdatedAt))
                    .col(at.optional(Orders::PaidAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_orders_vendor")
                            .from(Orders::Table, Orders::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_orders_vendor_status")
                    .table(Orders::Table)
                    .col(Orders::VendorId)
                    .col(Orders::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderLines::Table)
                    .col(pk_uuid(OrderLines::Id))
                    .col(uuid(OrderLines::OrderId))
                    .col(uuid(OrderLines::ProductId))
                    .col(uuid(OrderLines::VariantId))
                    .col(string_len(OrderLines::Sku, 64))
                    .col(string_len(OrderLines::Title, 200))
                    .col(big_integer(OrderLines::UnitPriceMinor))
                    .col(integer(OrderLines::Quantity))
                    .col(text(OrderLines::Customisation))
                    .col(integer(OrderLines::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_lines_order")
                            .from(OrderLines::Table, OrderLines::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_order_lines_order")
                    .table(OrderLines::Table)
                    .col(OrderLines::OrderId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderRecipients::Table)
                    .col(pk_uuid(OrderRecipients::Id))
                    .col(uuid(OrderRecipients::OrderId))
                    .col(uuid(OrderRecipients::VendorId))
                    .col(string_len(OrderRecipients::Name, 200))
                    .col(string_len(OrderRecipients::Email, 254))
                    .col(text_null(OrderRecipients::Address))
                    .col(uuid_null(OrderRecipients::ZoneId))
                    .col(big_integer(OrderRecipients::ShippingMinor))
                    .col(string_len(OrderRecipients::DeliveryMethod, 16))
                    .col(string_len_null(OrderRecipients::DeliveryNote, 500))
                    .col(date_null(OrderRecipients::SendOn))
                    .col(string_len(OrderRecipients::Status, 20))
                    .col(string_len_null(OrderRecipients::CodeHash, 64).unique_key())
                    .col(at.optional(OrderRecipients::CodeExpiresAt))
                    .col(string_len_null(OrderRecipients::Tracking, 500))
                    .col(text_null(OrderRecipients::Cart))
                    .col(integer(OrderRecipients::Position))
                    .col(at.required(OrderRecipients::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_recipients_order")
                            .from(OrderRecipients::Table, OrderRecipients::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_order_recipients_order")
                    .table(OrderRecipients::Table)
                    .col(OrderRecipients::OrderId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderEvents::Table)
                    .col(pk_uuid(OrderEvents::Id))
                    .col(uuid(OrderEvents::OrderId))
                    .col(uuid_null(OrderEvents::RecipientId))
                    .col(string_len(OrderEvents::Actor, 300))
                    .col(string_len_null(OrderEvents::FromStatus, 20))
                    .col(string_len(OrderEvents::ToStatus, 20))
                    .col(string_len_null(OrderEvents::Note, 500))
                    .col(at.required(OrderEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_events_order")
                            .from(OrderEvents::Table, OrderEvents::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_order_events_order")
                    .table(OrderEvents::Table)
                    .col(OrderEvents::OrderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OrderEvents::Table.into_iden(),
            OrderRecipients::Table.into_iden(),
            OrderLines::Table.into_iden(),
            Orders::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    VendorId,
    StorefrontId,
    CustomerEmail,
    CustomerName,
    Status,
    PaymentMethod,
    Currency,
    ItemsPerRecipientMinor,
    ItemsMinor,
    ShippingMinor,
    FeeBasisPoints,
    PlatformFeeMinor,
    FeeChargedMinor,
    TotalMinor,
    BudgetMinor,
    CreatedAt,
    UpdatedAt,
    PaidAt,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    OrderId,
    ProductId,
    VariantId,
    Sku,
    Title,
    UnitPriceMinor,
    Quantity,
    Customisation,
    Position,
}

#[derive(DeriveIden)]
enum OrderRecipients {
    Table,
    Id,
    OrderId,
    VendorId,
    Name,
    Email,
    Address,
    ZoneId,
    ShippingMinor,
    DeliveryMethod,
    DeliveryNote,
    SendOn,
    Status,
    CodeHash,
    CodeExpiresAt,
    Tracking,
    Cart,
    Position,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderEvents {
    Table,
    Id,
    OrderId,
    RecipientId,
    Actor,
    FromStatus,
    ToStatus,
    Note,
    CreatedAt,
}
