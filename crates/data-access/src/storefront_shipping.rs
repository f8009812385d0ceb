//! Which of the vendor's shipping zones a storefront ships with. Only the vendor's own
//! zones can be linked; replacing the set is one transaction.

use crate::entities::shipping_zone::{self, Entity as Zones};
use crate::entities::storefront_shipping_zone::{self, Entity as Links};
use crate::shipping_zones::Zone;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder,
};
use trove_domain::ids::VendorId;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("these zones are not the vendor's: {0:?}")]
    UnknownZones(Vec<uuid::Uuid>),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The zones `storefront_id` ships with, by name.
pub async fn zones_of(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    storefront_id: uuid::Uuid,
) -> Result<Vec<Zone>, DbErr> {
    zones_where(
        db,
        vendor,
        shipping_zone::Column::Id.in_subquery(linked_to(storefront_id)),
    )
    .await
}

/// The zones an order on `storefront_id` may ship to: those it links, or all the vendor's
/// when it links none; by name, in one query.
pub async fn zones_for(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    storefront_id: uuid::Uuid,
) -> Result<Vec<Zone>, DbErr> {
    let linked = linked_to(storefront_id);
    let links_none = Expr::exists(linked.clone()).not();
    zones_where(
        db,
        vendor,
        Condition::any()
            .add(shipping_zone::Column::Id.in_subquery(linked))
            .add(links_none),
    )
    .await
}

/// The ids of the zones `storefront_id` links, as a subquery.
fn linked_to(storefront_id: uuid::Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(storefront_shipping_zone::Column::ZoneId)
        .from(Links)
        .and_where(storefront_shipping_zone::Column::StorefrontId.eq(storefront_id))
        .to_owned()
}

/// The vendor's zones that `which` selects, by name.
async fn zones_where(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    which: impl sea_orm::sea_query::IntoCondition,
) -> Result<Vec<Zone>, DbErr> {
    Zones::find()
        .filter(shipping_zone::Column::VendorId.eq(vendor.as_uuid()))
        .filter(which)
        .order_by_asc(shipping_zone::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(crate::shipping_zones::to_zone)
        .collect()
}

/// Replaces the zones `storefront_id` ships with; every id must be one of the vendor's.
pub async fn set_zones(
    db: &DatabaseConnection,
    vendor: VendorId,
    storefront_id: uuid::Uuid,
    zone_ids: &[uuid::Uuid],
) -> Result<(), LinkError> {
    let owned: Vec<uuid::Uuid> = Zones::find()
        .filter(shipping_zone::Column::VendorId.eq(vendor.as_uuid()))
        .filter(shipping_zone::Column::Id.is_in(zone_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|zone| zone.id)
        .collect();
    let unknown: Vec<uuid::Uuid> = zone_ids
        .iter()
        .filter(|id| !owned.contains(id))
        .copied()
        .collect();
    if !unknown.is_empty() {
        return Err(LinkError::UnknownZones(unknown));
    }
    let txn = crate::db::begin_write(db).await?;
    Links::delete_many()
        .filter(storefront_shipping_zone::Column::StorefrontId.eq(storefront_id))
        .exec(&txn)
        .await?;
    link(&txn, storefront_id, &owned).await?;
    txn.commit().await?;
    Ok(())
}

/// Adds links from `storefront_id` to `zone_ids` (already checked to be the vendor's).
pub(crate) async fn link(
    db: &impl ConnectionTrait,
    storefront_id: uuid::Uuid,
    zone_ids: &[uuid::Uuid],
) -> Result<(), DbErr> {
    for zone_id in zone_ids {
        storefront_shipping_zone::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            storefront_id: Set(storefront_id),
            zone_id: Set(*zone_id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
