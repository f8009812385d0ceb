//! Feature-flag evaluation: a vendor override wins, then a percentage rollout, then the
//! configured default. The rollout bucket of a vendor is stable for a flag, so raising the
//! percentage only ever adds vendors.

use crate::ids::VendorId;

/// What is known about one flag for one vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagInputs {
    pub default: bool,
    pub rollout_percentage: Option<u8>,
    pub vendor_override: Option<bool>,
}

/// Where the effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagSource {
    Override,
    Rollout,
    Default,
}

pub fn evaluate(flag: &str, vendor: VendorId, inputs: FlagInputs) -> (bool, FlagSource) {
    if let Some(enabled) = inputs.vendor_override {
        return (enabled, FlagSource::Override);
    }
    if let Some(percentage) = inputs.rollout_percentage {
        return (
            rollout_bucket(flag, vendor) < u32::from(percentage.min(100)),
            FlagSource::Rollout,
        );
    }
    (inputs.default, FlagSource::Default)
}

/// A number in `0..100` fixed for a (flag, vendor) pair: FNV-1a over both.
pub fn rollout_bucket(flag: &str, vendor: VendorId) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in flag.bytes().chain([0]).chain(vendor.as_uuid().into_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % 100) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFF: FlagInputs = FlagInputs {
        default: false,
        rollout_percentage: None,
        vendor_override: None,
    };

    #[test]
    fn an_override_beats_rollout_and_default() {
        let vendor = VendorId::new();
        let inputs = FlagInputs {
            default: true,
            rollout_percentage: Some(100),
            vendor_override: Some(false),
        };
        assert_eq!(evaluate("x", vendor, inputs), (false, FlagSource::Override));
    }

    #[test]
    fn rollout_is_stable_per_vendor_and_monotonic_in_the_percentage() {
        let vendors: Vec<VendorId> = (0..500).map(|_| VendorId::new()).collect();
        let enabled_at = |percentage: u8| -> Vec<bool> {
            vendors
                .iter()
                .map(|vendor| {
                    evaluate(
                        "bulk",
                        *vendor,
                        FlagInputs {
                            rollout_percentage: Some(percentage),
                            ..OFF
                        },
                    )
                    .0
                })
                .collect()
        };
        assert_eq!(enabled_at(30), enabled_at(30), "stable");
        let (at_30, at_60) = (enabled_at(30), enabled_at(60));
        assert!(
            at_30.iter().zip(&at_60).all(|(low, high)| !low || *high),
            "raising adds vendors only"
        );
        let share = at_30.iter().filter(|on| **on).count();
        assert!((100..=200).contains(&share), "about 30% of 500: {share}");
        assert!(enabled_at(0).iter().all(|on| !on));
        assert!(enabled_at(100).iter().all(|on| *on));
    }

    #[test]
    fn without_override_or_rollout_the_default_applies() {
        assert_eq!(
            evaluate("x", VendorId::new(), OFF),
            (false, FlagSource::Default)
        );
    }
}
