//! Shipping zones: per vendor, the rules (as JSON text, portable across backends) and a
//! flat rate in minor units of one currency.

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
                    .table(ShippingZones::Table)
                    .col(pk_uuid(ShippingZones::Id))
                    .col(uuid(ShippingZones::VendorId))
                    .col(string_len(ShippingZones::Name, 100))
                    .col(text(ShippingZones::Rules))
                    .col(big_integer(ShippingZones::RateMinor))
                    .col(string_len(ShippingZones::Currency, 3))
                    .col(at.required(ShippingZones::CreatedAt))
                    .col(at.required(ShippingZones::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_shipping_zones_vendor")
                            .from(ShippingZones::Table, ShippingZones::VendorId)
                            .to(Vendors::Table, Vendors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_shipping_zones_vendor_name")
                    .table(ShippingZones::Table)
                    .col(ShippingZones::VendorId)
                    .col(ShippingZones::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShippingZones::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ShippingZones {
    Table,
    Id,
    VendorId,
    Name,
    Rules,
    RateMinor,
    Currency,
    CreatedAt,
    UpdatedAt,
}
