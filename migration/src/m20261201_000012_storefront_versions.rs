//! A version per storefront that every change to what its public page shows bumps (its
//! own fields, status, password, offering, and the products and variants it offers), so a
//! rendered page can be cached and checked with one cheap read.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Storefronts::Table)
                    .add_column(big_integer(Storefronts::Version).default(1))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Storefronts::Table)
                    .drop_column(Storefronts::Version)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Storefronts {
    Table,
    Version,
}
