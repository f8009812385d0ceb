//! A vendor's shipping zones. Every query is scoped by vendor: a zone id alone finds
//! nothing, so one vendor can never reach another's zones.

use crate::entities::shipping_zone::{self, Entity as Zones};
use crate::jobs::now;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use trove_domain::ids::VendorId;
use trove_domain::money::Money;
use trove_domain::shipping::ZoneRules;

/// A zone as the domain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub id: uuid::Uuid,
    pub name: String,
    pub rules: ZoneRules,
    pub rate: Money,
}

pub(crate) fn to_zone(row: shipping_zone::Model) -> Result<Zone, DbErr> {
    let rules = serde_json::from_str(&row.rules).map_err(|error| DbErr::Json(error.to_string()))?;
    let currency = trove_domain::money::Currency::parse(&row.currency)
        .map_err(|error| DbErr::Custom(error.to_string()))?;
    Ok(Zone {
        id: row.id,
        name: row.name,
        rules,
        rate: Money {
            minor: row.rate_minor,
            currency,
        },
    })
}

fn rules_json(rules: &ZoneRules) -> Result<String, DbErr> {
    serde_json::to_string(rules).map_err(|error| DbErr::Json(error.to_string()))
}

pub async fn list(db: &impl ConnectionTrait, vendor: VendorId) -> Result<Vec<Zone>, DbErr> {
    Zones::find()
        .filter(shipping_zone::Column::VendorId.eq(vendor.as_uuid()))
        .order_by_asc(shipping_zone::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(to_zone)
        .collect()
}

pub async fn find(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<Option<Zone>, DbErr> {
    Zones::find_by_id(id)
        .filter(shipping_zone::Column::VendorId.eq(vendor.as_uuid()))
        .one(db)
        .await?
        .map(to_zone)
        .transpose()
}

pub async fn create(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    name: &str,
    rules: &ZoneRules,
    rate: Money,
) -> Result<Zone, DbErr> {
    let at = now();
    let row = shipping_zone::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        vendor_id: Set(vendor.as_uuid()),
        name: Set(name.to_owned()),
        rules: Set(rules_json(rules)?),
        rate_minor: Set(rate.minor),
        currency: Set(rate.currency.to_string()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    to_zone(row)
}

/// Replaces a zone's name, rules and rate. `Ok(None)` when the vendor has no such zone.
pub async fn replace(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
    name: &str,
    rules: &ZoneRules,
    rate: Money,
) -> Result<Option<Zone>, DbErr> {
    let Some(row) = Zones::find_by_id(id)
        .filter(shipping_zone::Column::VendorId.eq(vendor.as_uuid()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut active: shipping_zone::ActiveModel = row.into();
    active.name = Set(name.to_owned());
    active.rules = Set(rules_json(rules)?);
    active.rate_minor = Set(rate.minor);
    active.currency = Set(rate.currency.to_string());
    active.updated_at = Set(now());
    to_zone(active.update(db).await?).map(Some)
}

/// Deletes a zone; false when the vendor has no such zone.
pub async fn delete(
    db: &impl ConnectionTrait,
    vendor: VendorId,
    id: uuid::Uuid,
) -> Result<bool, DbErr> {
    let result = Zones::delete_many()
        .filter(shipping_zone::Column::Id.eq(id))
        .filter(shipping_zone::Column::VendorId.eq(vendor.as_uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
