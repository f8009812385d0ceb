//! The feature-flag service: the one place handlers ask whether a flag is on for a vendor.
//! Defaults come from settings (`[features]`); rollouts and per-vendor overrides from the
//! database; `trove_domain::feature` decides.

use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use std::collections::BTreeMap;
use trove_data_access::flags;
use trove_domain::feature::{self, FlagInputs, FlagSource};
use trove_domain::ids::VendorId;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlagState {
    pub name: String,
    pub enabled: bool,
    /// `override`, `rollout` or `default`.
    pub source: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct FeatureFlags {
    defaults: BTreeMap<String, bool>,
}

impl FeatureFlags {
    pub fn new(defaults: BTreeMap<String, bool>) -> Self {
        Self { defaults }
    }

    pub fn knows(&self, flag: &str) -> bool {
        self.defaults.contains_key(flag)
    }

    /// Every known flag as it stands for `vendor`.
    pub async fn for_vendor(
        &self,
        db: &impl ConnectionTrait,
        vendor: VendorId,
    ) -> Result<Vec<FlagState>, DbErr> {
        let rollouts = flags::rollouts(db).await?;
        let overrides = flags::overrides_for(db, vendor).await?;
        Ok(self
            .defaults
            .iter()
            .map(|(name, default)| {
                let inputs = FlagInputs {
                    default: *default,
                    rollout_percentage: rollouts.get(name).copied(),
                    vendor_override: overrides.get(name).copied(),
                };
                let (enabled, source) = feature::evaluate(name, vendor, inputs);
                FlagState {
                    name: name.clone(),
                    enabled,
                    source: match source {
                        FlagSource::Override => "override",
                        FlagSource::Rollout => "rollout",
                        FlagSource::Default => "default",
                    },
                }
            })
            .collect())
    }

    /// Every known flag with its default and stored rollout percentage.
    pub async fn overview(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<Vec<(String, bool, Option<u8>)>, DbErr> {
        let rollouts = flags::rollouts(db).await?;
        Ok(self
            .defaults
            .iter()
            .map(|(name, default)| (name.clone(), *default, rollouts.get(name).copied()))
            .collect())
    }
}
