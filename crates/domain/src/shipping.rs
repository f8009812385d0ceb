//! Shipping zones and the rule that picks one for an address.
//!
//! A zone covers countries, optionally narrowed to state codes and to postcodes (numeric
//! ranges, exact codes, or prefixes written `SW1*`). An address resolves to the single most
//! specific zone that covers it (postcode rules beat state rules beat country-only zones);
//! none covering it, or two equally specific ones, is an error that says why.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a recipient lives, as far as shipping cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    pub state: Option<String>,
    pub postcode: Option<String>,
}

/// One postcode rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PostcodeRule {
    /// Numeric postcodes from `from` to `to`, inclusive (e.g. Australian 2000–2999).
    Range { from: u32, to: u32 },
    /// Exactly this code (compared without spaces, case-insensitively).
    Exact { code: String },
    /// Codes starting with this (`SW1` covers `SW1A 1AA`).
    Prefix { prefix: String },
}

fn normalised(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

impl PostcodeRule {
    pub fn covers(&self, postcode: &str) -> bool {
        let code = normalised(postcode);
        match self {
            Self::Range { from, to } => code
                .parse::<u32>()
                .is_ok_and(|n| (*from..=*to).contains(&n)),
            Self::Exact { code: exact } => normalised(exact) == code,
            Self::Prefix { prefix } => code.starts_with(&normalised(prefix)),
        }
    }
}

/// What a zone covers. Empty `states` or `postcodes` mean "all of them".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ZoneRules {
    pub countries: Vec<String>,
    #[serde(default)]
    pub states: Vec<String>,
    #[serde(default)]
    pub postcodes: Vec<PostcodeRule>,
}

/// How narrowly a zone matched; the narrowest match wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Specificity {
    Country,
    State,
    Postcode,
}

impl ZoneRules {
    /// How specifically these rules cover `address`, or `None` when they do not.
    pub fn covers(&self, address: &Address) -> Option<Specificity> {
        let country = address.country.to_ascii_uppercase();
        if !self
            .countries
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&country))
        {
            return None;
        }
        let mut specificity = Specificity::Country;
        if !self.states.is_empty() {
            let state = address.state.as_deref()?;
            if !self
                .states
                .iter()
                .any(|s| s.eq_ignore_ascii_case(state.trim()))
            {
                return None;
            }
            specificity = Specificity::State;
        }
        if !self.postcodes.is_empty() {
            let postcode = address.postcode.as_deref()?;
            if !self.postcodes.iter().any(|rule| rule.covers(postcode)) {
                return None;
            }
            specificity = Specificity::Postcode;
        }
        Some(specificity)
    }
}

/// Why no zone was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoZone {
    /// No zone covers the address.
    Uncovered { country: String },
    /// Two or more zones cover it equally specifically: the vendor's zones overlap.
    Ambiguous { zones: Vec<String> },
}

impl fmt::Display for NoZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uncovered { country } => {
                write!(
                    f,
                    "no shipping zone covers this address (country {country})"
                )
            }
            Self::Ambiguous { zones } => {
                write!(
                    f,
                    "the shipping zones {} overlap for this address",
                    zones.join(", ")
                )
            }
        }
    }
}

/// Picks the zone for `address` among `zones` (each with a name for error messages).
pub fn resolve<'a, Z>(
    zones: &'a [Z],
    address: &Address,
    rules: impl Fn(&Z) -> (&str, &ZoneRules),
) -> Result<&'a Z, NoZone> {
    let mut best: Option<Specificity> = None;
    let mut winners: Vec<&Z> = Vec::new();
    for zone in zones {
        let Some(specificity) = rules(zone).1.covers(address) else {
            continue;
        };
        match best {
            Some(current) if specificity < current => {}
            Some(current) if specificity == current => winners.push(zone),
            _ => {
                best = Some(specificity);
                winners = vec![zone];
            }
        }
    }
    match winners.as_slice() {
        [only] => Ok(only),
        [] => Err(NoZone::Uncovered {
            country: address.country.to_ascii_uppercase(),
        }),
        tied => {
            let mut names: Vec<String> = tied.iter().map(|zone| rules(zone).0.to_owned()).collect();
            names.sort();
            Err(NoZone::Ambiguous { zones: names })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Named = (String, ZoneRules);

    fn pick<'a>(zones: &'a [Named], address: &Address) -> Result<&'a Named, NoZone> {
        resolve(zones, address, |(name, rules)| (name.as_str(), rules))
    }

    fn address(country: &str, state: Option<&str>, postcode: Option<&str>) -> Address {
        Address {
            country: country.into(),
            state: state.map(Into::into),
            postcode: postcode.map(Into::into),
        }
    }

    fn zone(
        name: &str,
        countries: &[&str],
        states: &[&str],
        postcodes: Vec<PostcodeRule>,
    ) -> Named {
        (
            name.into(),
            ZoneRules {
                countries: countries.iter().map(|c| (*c).into()).collect(),
                states: states.iter().map(|s| (*s).into()).collect(),
                postcodes,
            },
        )
    }

    fn zones() -> Vec<Named> {
        vec![
            zone("AU", &["AU"], &[], vec![]),
            zone("NSW", &["AU"], &["NSW"], vec![]),
            zone(
                "Sydney metro",
                &["AU"],
                &[],
                vec![PostcodeRule::Range {
                    from: 2000,
                    to: 2234,
                }],
            ),
            zone(
                "London",
                &["GB"],
                &[],
                vec![PostcodeRule::Prefix {
                    prefix: "SW1".into(),
                }],
            ),
        ]
    }

    #[test]
    fn the_most_specific_covering_zone_wins() {
        let zones = zones();
        let name = |a: &Address| pick(&zones, a).map(|z| z.0.clone());
        assert_eq!(
            name(&address("au", Some("VIC"), Some("3000"))),
            Ok("AU".into())
        );
        assert_eq!(
            name(&address("AU", Some("nsw"), Some("2750"))),
            Ok("NSW".into())
        );
        assert_eq!(
            name(&address("AU", Some("NSW"), Some("2000"))),
            Ok("Sydney metro".into())
        );
        assert_eq!(
            name(&address("GB", None, Some("sw1a 1aa"))),
            Ok("London".into())
        );
    }

    #[test]
    fn no_cover_and_overlaps_say_why() {
        let zones = zones();
        assert_eq!(
            pick(&zones, &address("NZ", None, Some("6011"))).map(|z| z.0.clone()),
            Err(NoZone::Uncovered {
                country: "NZ".into()
            })
        );
        assert!(
            pick(&zones, &address("GB", None, Some("E1 6AN"))).is_err(),
            "London covers SW1 only"
        );
        let mut overlapping = zones.clone();
        overlapping.push(zone("NSW again", &["AU"], &["NSW"], vec![]));
        assert_eq!(
            pick(&overlapping, &address("AU", Some("NSW"), Some("2750"))).map(|z| z.0.clone()),
            Err(NoZone::Ambiguous {
                zones: vec!["NSW".into(), "NSW again".into()]
            })
        );
    }

    #[test]
    fn a_zone_with_states_or_postcodes_needs_them_in_the_address() {
        let zones = vec![zone("NSW", &["AU"], &["NSW"], vec![])];
        assert!(pick(&zones, &address("AU", None, Some("2000"))).is_err());
    }

    fn arb_rules() -> impl Strategy<Value = ZoneRules> {
        let countries = prop::collection::vec(
            prop::sample::select(vec!["AU", "NZ", "US", "GB", "SG"]),
            1..3,
        );
        let states =
            prop::collection::vec(prop::sample::select(vec!["NSW", "VIC", "CA", "NY"]), 0..2);
        let postcodes = prop::collection::vec(
            prop_oneof![
                (0u32..9000, 0u32..1000).prop_map(|(from, width)| PostcodeRule::Range {
                    from,
                    to: from + width
                }),
                "[0-9]{4}".prop_map(|code| PostcodeRule::Exact { code }),
                "[0-9]{1,2}".prop_map(|prefix| PostcodeRule::Prefix { prefix }),
            ],
            0..3,
        );
        (countries, states, postcodes).prop_map(|(countries, states, postcodes)| ZoneRules {
            countries: countries.into_iter().map(String::from).collect(),
            states: states.into_iter().map(String::from).collect(),
            postcodes,
        })
    }

    fn arb_address() -> impl Strategy<Value = Address> {
        (
            prop::sample::select(vec!["AU", "NZ", "US", "GB", "SG"]),
            prop::option::of(prop::sample::select(vec!["NSW", "VIC", "CA", "NY"])),
            prop::option::of("[0-9]{4}"),
        )
            .prop_map(|(country, state, postcode)| Address {
                country: country.into(),
                state: state.map(String::from),
                postcode,
            })
    }

    fn named(rules: Vec<ZoneRules>) -> Vec<Named> {
        rules
            .into_iter()
            .enumerate()
            .map(|(i, rules)| (format!("zone-{i}"), rules))
            .collect()
    }

    proptest! {
        #[test]
        fn a_chosen_zone_covers_the_address_and_none_covers_it_more_specifically(
            rules in prop::collection::vec(arb_rules(), 0..6),
            address in arb_address(),
        ) {
            let zones = named(rules);
            if let Ok(chosen) = pick(&zones, &address) {
                let specificity = chosen.1.covers(&address);
                prop_assert!(specificity.is_some());
                for other in &zones {
                    if other.0 != chosen.0 {
                        prop_assert!(other.1.covers(&address) < specificity);
                    }
                }
            }
        }

        #[test]
        fn uncovered_means_no_zone_covers_it(
            rules in prop::collection::vec(arb_rules(), 0..6),
            address in arb_address(),
        ) {
            let zones = named(rules);
            if let Err(NoZone::Uncovered { .. }) = pick(&zones, &address) {
                prop_assert!(zones.iter().all(|zone| zone.1.covers(&address).is_none()));
            }
        }

        #[test]
        fn the_order_of_zones_does_not_change_the_answer(
            rules in prop::collection::vec(arb_rules(), 0..6),
            address in arb_address(),
        ) {
            let zones = named(rules);
            let mut reversed = zones.clone();
            reversed.reverse();
            let forward = pick(&zones, &address).map(|zone| zone.0.clone());
            let backward = pick(&reversed, &address).map(|zone| zone.0.clone());
            prop_assert_eq!(forward, backward);
        }

        #[test]
        fn a_zone_for_another_country_changes_nothing(
            rules in prop::collection::vec(arb_rules(), 0..6),
            address in arb_address(),
        ) {
            let zones = named(rules);
            let before = pick(&zones, &address).map(|zone| zone.0.clone());
            let mut more = zones.clone();
            more.push(("elsewhere".into(), ZoneRules { countries: vec!["ZZ".into()], ..ZoneRules::default() }));
            let after = pick(&more, &address).map(|zone| zone.0.clone());
            prop_assert_eq!(before, after);
        }
    }
}
