//! Bulk recipient CSVs: one template per address format (AU, NZ, US, SG, GB), each with
//! the same recipient columns and its own address columns, and the checks of one row.
//! Zone matching needs the vendor's zones and happens where they are loaded. A list's
//! reading moves from `queued` through `processing` to `done` or `failed`.

mod template;

pub use template::Template;

use crate::email::Email;
use crate::storefront::DeliveryMethod;
use serde::Serialize;

/// Where the reading of an imported list stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::DeriveValueType),
    sea_orm(value_type = "String")
)]
#[serde(rename_all = "snake_case")]
pub enum RecipientListStatus {
    /// Recorded; the worker has not started reading it.
    Queued,
    /// Being read; the rows so far are counted.
    Processing,
    /// Read to the end: its good rows may be used at checkout.
    Done,
    /// The file could not be read (a missing column, an unreadable header).
    Failed,
}

impl RecipientListStatus {
    pub const ALL: [Self; 4] = [Self::Queued, Self::Processing, Self::Done, Self::Failed];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Processing => "processing",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// Done or failed: reading it again changes nothing.
    pub const fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

stored_as_text!(RecipientListStatus, "recipient list status");

/// A recipient address as stored (the checkout's address shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowAddress {
    pub line1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    pub country: String,
}

/// One good row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientRow {
    pub name: String,
    pub email: String,
    pub delivery_method: DeliveryMethod,
    pub delivery_note: Option<String>,
    /// `YYYY-MM-DD` as written (checked for shape and calendar validity).
    pub send_on: Option<String>,
    pub address: Option<RowAddress>,
}

/// Column positions of one file's header.
#[derive(Debug, Clone)]
pub struct Header {
    template: Template,
    positions: Vec<(&'static str, usize)>,
}

impl Header {
    /// Maps a header row onto `template`, or names the required columns it lacks.
    pub fn read(template: Template, names: &[String]) -> Result<Self, String> {
        let clean = |name: &str| {
            name.trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        };
        let positions: Vec<(&'static str, usize)> = template
            .columns()
            .into_iter()
            .filter_map(|column| {
                names
                    .iter()
                    .position(|name| clean(name) == column)
                    .map(|index| (column, index))
            })
            .collect();
        let missing: Vec<&str> = template
            .required_columns()
            .into_iter()
            .filter(|column| !positions.iter().any(|(found, _)| found == column))
            .collect();
        if missing.is_empty() {
            Ok(Self {
                template,
                positions,
            })
        } else {
            Err(format!("missing columns: {}", missing.join(", ")))
        }
    }

    fn get<'a>(&self, record: &'a [String], column: &str) -> Option<&'a str> {
        self.positions
            .iter()
            .find(|(name, _)| *name == column)
            .and_then(|(_, index)| record.get(*index))
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// Checks one data row; the reason names the first problem.
    pub fn row(&self, record: &[String]) -> Result<RecipientRow, String> {
        let name = self.get(record, "name").ok_or("name is empty")?;
        if name.chars().count() > 200 {
            return Err("name is longer than 200 characters".into());
        }
        let email = self.get(record, "email").ok_or("email is empty")?;
        let email =
            Email::parse(email).map_err(|_| format!("{email:?} is not an email address"))?;
        let method = self.get(record, "delivery_method").unwrap_or("email_link");
        let delivery_method = match method {
            "deliver_direct" => DeliveryMethod::DeliverDirect,
            "email_link" => DeliveryMethod::EmailLink,
            "create_link" => DeliveryMethod::CreateLink,
            other => {
                return Err(format!(
                    "delivery_method {other:?} is not deliver_direct, email_link or create_link"
                ));
            }
        };
        let send_on = self.get(record, "send_on").map(str::to_owned);
        if let Some(date) = &send_on
            && !is_date(date)
        {
            return Err(format!("send_on {date:?} is not a YYYY-MM-DD date"));
        }
        let delivery_note = self.get(record, "delivery_note").map(str::to_owned);
        if delivery_note
            .as_ref()
            .is_some_and(|note| note.chars().count() > 500)
        {
            return Err("delivery_note is longer than 500 characters".into());
        }
        let address = self.address(record)?;
        if delivery_method == DeliveryMethod::DeliverDirect && address.is_none() {
            return Err("deliver_direct needs an address".into());
        }
        Ok(RecipientRow {
            name: name.to_owned(),
            email: email.to_string(),
            delivery_method,
            delivery_note,
            send_on,
            address,
        })
    }

    fn address(&self, record: &[String]) -> Result<Option<RowAddress>, String> {
        let columns = self.template.address();
        let Some(line1) = self.get(record, columns.line1) else {
            return Ok(None);
        };
        let locality = columns
            .locality
            .and_then(|column| self.get(record, column))
            .or(columns.fixed_locality)
            .ok_or("the address has no town or city")?;
        let postcode = self.get(record, columns.postcode).map(str::to_owned);
        if postcode.is_none() {
            return Err(format!("the address has no {}", columns.postcode));
        }
        let line2 = [
            self.get(record, columns.line2),
            columns.suburb.and_then(|column| self.get(record, column)),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        Ok(Some(RowAddress {
            line1: line1.to_owned(),
            line2: Some(line2).filter(|line| !line.is_empty()),
            city: locality.to_owned(),
            state: columns
                .region
                .and_then(|column| self.get(record, column))
                .map(str::to_owned),
            postcode,
            country: self.template.country().to_owned(),
        }))
    }
}

fn is_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    // Digits of exactly these widths: `u32` parsing alone takes `+2`, `002` or `2`, and the
    // worker's `%Y-%m-%d` reading then drops some of those dates without a word.
    let digits = |part: &str, width: usize| {
        part.len() == width && part.bytes().all(|byte| byte.is_ascii_digit())
    };
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (
        year.parse::<u32>(),
        month.parse::<u32>(),
        day.parse::<u32>(),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (2000..=2100).contains(&year) && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| (*value).to_owned()).collect()
    }

    #[test]
    fn stored_names_round_trip() {
        for template in Template::ALL {
            assert_eq!(template.to_string().parse::<Template>(), Ok(template));
        }
        assert!("uk".parse::<Template>().is_err());
        for status in RecipientListStatus::ALL {
            assert_eq!(status.as_str().parse::<RecipientListStatus>(), Ok(status));
        }
    }

    #[test]
    fn every_template_reads_its_own_example() {
        for template in Template::ALL {
            let example = template.example();
            let mut lines = example.lines();
            let header = strings(&lines.next().unwrap().split(',').collect::<Vec<_>>());
            let row = strings(&lines.next().unwrap().split(',').collect::<Vec<_>>());
            let header = Header::read(template, &header).unwrap();
            let row = header.row(&row).unwrap();
            assert_eq!(row.address.unwrap().country, template.country());
        }
    }

    #[test]
    fn rows_name_their_first_problem() {
        let header = Header::read(
            Template::Au,
            &strings(&[
                "\u{feff}Name",
                "EMAIL",
                "delivery_method",
                "address_line1",
                "suburb",
                "state",
                "postcode",
            ]),
        )
        .unwrap();
        let good = header
            .row(&strings(&[
                "Ann",
                "ann@example.com",
                "deliver_direct",
                "1 George St",
                "Sydney",
                "NSW",
                "2000",
            ]))
            .unwrap();
        assert_eq!(good.address.unwrap().city, "Sydney");
        for (row, reason) in [
            (
                vec!["", "a@example.com", "email_link", "", "", "", ""],
                "name is empty",
            ),
            (
                vec!["Ann", "nope", "email_link", "", "", "", ""],
                "not an email",
            ),
            (
                vec!["Ann", "a@example.com", "pigeon", "", "", "", ""],
                "pigeon",
            ),
            (
                vec!["Ann", "a@example.com", "deliver_direct", "", "", "", ""],
                "needs an address",
            ),
            (
                vec![
                    "Ann",
                    "a@example.com",
                    "email_link",
                    "1 St",
                    "",
                    "NSW",
                    "2000",
                ],
                "town or city",
            ),
        ] {
            let error = header.row(&strings(&row)).unwrap_err();
            assert!(error.contains(reason), "{error}");
        }
        assert!(
            Header::read(Template::Us, &strings(&["name", "zip"]))
                .unwrap_err()
                .contains("email")
        );
        assert!(is_date("2028-02-29") && !is_date("2027-02-29") && !is_date("2026-13-01"));
    }

    #[test]
    fn send_on_is_taken_only_as_yyyy_mm_dd() {
        // Found by the `recipient_csv` fuzz target: these passed, and the worker stored
        // the row without its send date when chrono could not read them.
        for loose in [
            "2028-2-2",
            "2028-02-2",
            "2028-02-002",
            "2028-002-02",
            "02028-02-02",
            "+2028-02-02",
            "2028-+2-02",
        ] {
            assert!(!is_date(loose), "{loose}");
        }
        let header = Header::read(
            Template::Us,
            &strings(&["name", "email", "delivery_method", "send_on"]),
        )
        .unwrap();
        let error = header
            .row(&strings(&[
                "Ann",
                "ann@example.com",
                "email_link",
                "2028-02-002",
            ]))
            .unwrap_err();
        assert!(error.contains("YYYY-MM-DD"), "{error}");
    }
}
