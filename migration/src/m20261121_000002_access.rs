//! Access: vendor contact settings, member invitations, feature-flag rollouts and
//! overrides, and single-use tokens that have been consumed.

use crate::instants::Instants;
use crate::m20261121_000001_foundation::{Users, Vendors};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let at = Instants(manager.get_database_backend());
        for column in [
            string_len_null(VendorSettings::ContactEmail, 320),
            string_len_null(VendorSettings::SlackWebhookUrl, 500),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Vendors::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(VendorInvitations::Table)
                    .col(pk_uuid(VendorInvitations::Id))
                    .col(uuid(VendorInvitations::VendorId))
                    .col(string_len(VendorInvitations::Email, 320))
                    .col(string_len(VendorInvitations::Role, 16))
                    .col(string_len_uniq(VendorInvitations::TokenHash, 64))
                    .col(uuid(VendorInvitations::InvitedBy))
                    .col(at.required(VendorInvitations::ExpiresAt))
                    .col(at.optional(VendorInvitations::AcceptedAt))
                    .col(at.required(VendorInvitations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_vendor_invitations_vendor")
                            .from(VendorInvitations::Table, VendorInvitations::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_vendor_invitations_inviter")
                            .from(VendorInvitations::Table, VendorInvitations::InvitedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FeatureFlagRollouts::Table)
                    .col(string_len(FeatureFlagRollouts::Flag, 64).primary_key())
                    .col(integer(FeatureFlagRollouts::Percentage))
                    .col(at.required(FeatureFlagRollouts::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FeatureFlagOverrides::Table)
                    .col(pk_uuid(FeatureFlagOverrides::Id))
                    .col(string_len(FeatureFlagOverrides::Flag, 64))
                    .col(uuid(FeatureFlagOverrides::VendorId))
                    .col(boolean(FeatureFlagOverrides::Enabled))
                    .col(at.required(FeatureFlagOverrides::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_feature_flag_overrides_vendor")
                            .from(FeatureFlagOverrides::Table, FeatureFlagOverrides::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_feature_flag_overrides_flag_vendor")
                    .table(FeatureFlagOverrides::Table)
                    .col(FeatureFlagOverrides::Flag)
                    .col(FeatureFlagOverrides::VendorId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ConsumedTokens::Table)
                    .col(string_len(ConsumedTokens::Jti, 64).primary_key())
                    .col(at.required(ConsumedTokens::ExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConsumedTokens::Table.into_iden(),
            FeatureFlagOverrides::Table.into_iden(),
            FeatureFlagRollouts::Table.into_iden(),
            VendorInvitations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [
            VendorSettings::SlackWebhookUrl,
            VendorSettings::ContactEmail,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Vendors::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum VendorSettings {
    ContactEmail,
    SlackWebhookUrl,
}

#[derive(DeriveIden)]
enum VendorInvitations {
    Table,
    Id,
    VendorId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FeatureFlagRollouts {
    Table,
    Flag,
    Percentage,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FeatureFlagOverrides {
    Table,
    Id,
    Flag,
    VendorId,
    Enabled,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConsumedTokens {
    Table,
    Jti,
    ExpiresAt,
}
