//! Bulk recipient lists read from uploaded CSVs: the list with its progress, its good rows
//! and its failed rows (line number and reason).

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
                    .table(RecipientLists::Table)
                    .col(pk_uuid(RecipientLists::Id))
                    .col(uuid(RecipientLists::VendorId))
                    .col(uuid(RecipientLists::StorefrontId))
                    .col(uuid(RecipientLists::UploadId))
                    .col(string_len(RecipientLists::Template, 2))
                    .col(string_len(RecipientLists::Status, 16))
                    .col(integer(RecipientLists::RowsTotal))
                    .col(integer(RecipientLists::RowsDone))
                    .col(integer(RecipientLists::GoodRows))
                    .col(integer(RecipientLists::FailedRows))
                    .col(string_len_null(RecipientLists::Failure, 500))
                    .col(at.required(RecipientLists::CreatedAt))
                    .col(at.required(RecipientLists::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recipient_lists_vendor")
                            .from(RecipientLists::Table, RecipientLists::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecipientListEntries::Table)
                    .col(pk_uuid(RecipientListEntries::Id))
                    .col(uuid(RecipientListEntries::ListId))
                    .col(integer(RecipientListEntries::Line))
                    .col(string_len(RecipientListEntries::Name, 200))
                    .col(string_len(RecipientListEntries::Email, 254))
                    .col(string_len(RecipientListEntries::DeliveryMethod, 16))
                    .col(string_len_null(RecipientListEntries::DeliveryNote, 500))
                    .col(date_null(RecipientListEntries::SendOn))
                    .col(text_null(RecipientListEntries::Address))
                    .col(uuid_null(RecipientListEntries::ZoneId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recipient_list_entries_list")
                            .from(RecipientListEntries::Table, RecipientListEntries::ListId)
                            .to(RecipientLists::Table, RecipientLists::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_recipient_list_entries_list")
                    .table(RecipientListEntries::Table)
                    .col(RecipientListEntries::ListId)
                    .col(RecipientListEntries::Line)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecipientListErrors::Table)
                    .col(pk_uuid(RecipientListErrors::Id))
                    .col(uuid(RecipientListErrors::ListId))
                    .col(integer(RecipientListErrors::Line))
                    .col(string_len(RecipientListErrors::Reason, 500))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_recipient_list_errors_list")
                            .from(RecipientListErrors::Table, RecipientListErrors::ListId)
                            .to(RecipientLists::Table, RecipientLists::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_recipient_list_errors_list")
                    .table(RecipientListErrors::Table)
                    .col(RecipientListErrors::ListId)
                    .col(RecipientListErrors::Line)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RecipientListErrors::Table.into_iden(),
            RecipientListEntries::Table.into_iden(),
            RecipientLists::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum RecipientLists {
    Table,
    Id,
    VendorId,
    StorefrontId,
    UploadId,
    Template,
    Status,
    RowsTotal,
    RowsDone,
    GoodRows,
    FailedRows,
    Failure,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RecipientListEntries {
    Table,
    Id,
    ListId,
    Line,
    Name,
    Email,
    DeliveryMethod,
    DeliveryNote,
    SendOn,
    Address,
    ZoneId,
}

#[derive(DeriveIden)]
enum RecipientListErrors {
    Table,
    Id,
    ListId,
    Line,
    Reason,
}
