//! Which of the vendor's shipping zones each storefront ships with.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StorefrontShippingZones::Table)
                    .col(pk_uuid(StorefrontShippingZones::Id))
                    .col(uuid(StorefrontShippingZones::StorefrontId))
                    .col(uuid(StorefrontShippingZones::ZoneId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_storefront_shipping_storefront")
                            .from(
                                StorefrontShippingZones::Table,
                                StorefrontShippingZones::StorefrontId,
                            )
                            .to(Storefronts::Table, Storefronts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_storefront_shipping_zone")
                            .from(
                                StorefrontShippingZones::Table,
                                StorefrontShippingZones::ZoneId,
                            )
                            .to(ShippingZones::Table, ShippingZones::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_storefront_shipping_zone")
                    .table(StorefrontShippingZones::Table)
                    .col(StorefrontShippingZones::StorefrontId)
                    .col(StorefrontShippingZones::ZoneId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(StorefrontShippingZones::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum StorefrontShippingZones {
    Table,
    Id,
    StorefrontId,
    ZoneId,
}

#[derive(DeriveIden)]
enum Storefronts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ShippingZones {
    Table,
    Id,
}
