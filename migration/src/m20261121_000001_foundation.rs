//! The foundation: users, vendors and their members, the job queue with its
//! processed-jobs record, and idempotency keys.

use crate::instants::Instants;
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
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_len_uniq(Users::AuthSubject, 255))
                    .col(string_len(Users::Email, 320))
                    .col(string_len_null(Users::DisplayName, 200))
                    .col(at.required(Users::CreatedAt))
                    .col(at.required(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Vendors::Table)
                    .col(pk_uuid(Vendors::Id))
                    .col(string_len(Vendors::Name, 200))
                    .col(string_len(Vendors::OnboardingStatus, 32).default("profile"))
                    .col(at.required(Vendors::CreatedAt))
                    .col(at.required(Vendors::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VendorMemberships::Table)
                    .col(pk_uuid(VendorMemberships::Id))
                    .col(uuid(VendorMemberships::VendorId))
                    .col(uuid(VendorMemberships::UserId))
                    .col(string_len(VendorMemberships::Role, 16))
                    .col(at.required(VendorMemberships::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_vendor_memberships_vendor")
                            .from(VendorMemberships::Table, VendorMemberships::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_vendor_memberships_user")
                            .from(VendorMemberships::Table, VendorMemberships::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_vendor_memberships_vendor_user")
                    .table(VendorMemberships::Table)
                    .col(VendorMemberships::VendorId)
                    .col(VendorMemberships::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(pk_uuid(Jobs::Id))
                    .col(string_len(Jobs::Kind, 64))
                    .col(text(Jobs::Payload))
                    .col(string_len(Jobs::Status, 16))
                    .col(integer(Jobs::Attempts).default(0))
                    .col(integer(Jobs::MaxAttempts))
                    .col(at.required(Jobs::RunAt))
                    .col(at.optional(Jobs::LockedUntil))
                    .col(text_null(Jobs::LastError))
                    .col(at.required(Jobs::CreatedAt))
                    .col(at.required(Jobs::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_jobs_status_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::Status)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProcessedJobs::Table)
                    .col(pk_uuid(ProcessedJobs::JobId))
                    .col(string_len(ProcessedJobs::Kind, 64))
                    .col(at.required(ProcessedJobs::ProcessedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(pk_uuid(IdempotencyKeys::Id))
                    .col(string_len(IdempotencyKeys::Scope, 128))
                    .col(string_len(IdempotencyKeys::Key, 255))
                    .col(string_len(IdempotencyKeys::RequestHash, 64))
                    .col(integer_null(IdempotencyKeys::ResponseStatus))
                    .col(text_null(IdempotencyKeys::ResponseBody))
                    .col(at.required(IdempotencyKeys::CreatedAt))
                    .col(at.required(IdempotencyKeys::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_idempotency_keys_scope_key")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::Scope)
                    .col(IdempotencyKeys::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_idempotency_keys_expires_at")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            ProcessedJobs::Table.into_iden(),
            Jobs::Table.into_iden(),
            VendorMemberships::Table.into_iden(),
            Vendors::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub(crate) enum Users {
    Table,
    Id,
    AuthSubject,
    Email,
    DisplayName,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Vendors {
    Table,
    Id,
    Name,
    OnboardingStatus,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VendorMemberships {
    Table,
    Id,
    VendorId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    Status,
    Attempts,
    MaxAttempts,
    RunAt,
    LockedUntil,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProcessedJobs {
    Table,
    JobId,
    Kind,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    Scope,
    Key,
    RequestHash,
    ResponseStatus,
    ResponseBody,
    CreatedAt,
    ExpiresAt,
}
