//! Shopify: each vendor's connected shop (at most one per vendor, each shop with at most one
//! vendor) with its access token sealed (envelope-encrypted JSON, never the raw token), and
//! every webhook delivery received, stored once by Shopify's webhook id.

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
                    .table(ShopifyConnections::Table)
                    .col(pk_uuid(ShopifyConnections::VendorId))
                    .col(string_len(ShopifyConnections::Shop, 255))
                    .col(string_len(ShopifyConnections::Status, 32))
                    .col(string_len(ShopifyConnections::ShopName, 255))
                    .col(string_len(ShopifyConnections::Currency, 3))
                    .col(string_len(ShopifyConnections::Scopes, 1000))
                    .col(text_null(ShopifyConnections::AccessToken))
                    .col(at.optional(ShopifyConnections::AccessTokenExpiresAt))
                    .col(text_null(ShopifyConnections::RefreshToken))
                    .col(at.optional(ShopifyConnections::RefreshTokenExpiresAt))
                    .col(string_len_null(ShopifyConnections::LastError, 1000))
                    .col(at.optional(ShopifyConnections::LastSyncAt))
                    .col(at.required(ShopifyConnections::ConnectedAt))
                    .col(at.required(ShopifyConnections::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shopify_connections_vendor")
                            .from(ShopifyConnections::Table, ShopifyConnections::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_shopify_connections_shop")
                    .table(ShopifyConnections::Table)
                    .col(ShopifyConnections::Shop)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ShopifyWebhooks::Table)
                    .col(string_len(ShopifyWebhooks::WebhookId, 255).primary_key())
                    .col(string_len(ShopifyWebhooks::Shop, 255))
                    .col(string_len(ShopifyWebhooks::Topic, 128))
                    .col(at.required(ShopifyWebhooks::ReceivedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShopifyWebhooks::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ShopifyConnections::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ShopifyConnections {
    Table,
    VendorId,
    Shop,
    Status,
    ShopName,
    Currency,
    Scopes,
    AccessToken,
    AccessTokenExpiresAt,
    RefreshToken,
    RefreshTokenExpiresAt,
    LastError,
    LastSyncAt,
    ConnectedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ShopifyWebhooks {
    Table,
    WebhookId,
    Shop,
    Topic,
    ReceivedAt,
}
