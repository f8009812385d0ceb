//! Recipient CSV uploads: arbitrary bytes read as `process_recipient_upload` reads an
//! uploaded file (csv-async without header handling and with rows of any length; the first
//! record is the header, blank records are skipped, a field that is not UTF-8 fails its
//! row) and checked by `recipient_csv::Header::read` and `Header::row` under the template
//! the first byte picks. Checks that a header is accepted exactly when it has every
//! required column (and that a refusal names only missing ones), and that every accepted
//! row keeps the documented rules: a trimmed name of at most 200 characters, a normalised
//! email, a trimmed note of at most 500, a `YYYY-MM-DD` send date the worker can read,
//! and an address in the template's country with a town and postcode whenever there is
//! one (always for `deliver_direct`).
#![no_main]

use futures_util::StreamExt;
use libfuzzer_sys::fuzz_target;
use trove_domain::email::Email;
use trove_domain::recipient_csv::{Header, RecipientRow, Template};
use trove_domain::storefront::DeliveryMethod;
use trove_fuzz::ready;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let template = Template::ALL[usize::from(selector) % Template::ALL.len()];
    ready(read(template, file));
});

/// Reads `file` record by record, as the worker's second pass does.
async fn read(template: Template, file: &[u8]) {
    let mut records = csv_async::AsyncReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .create_reader(file)
        .into_byte_records();
    let Some(Ok(first)) = records.next().await else {
        return;
    };
    let Ok(names) = fields(&first) else {
        return;
    };
    let Some(header) = read_header(template, &names) else {
        return;
    };
    while let Some(record) = records.next().await {
        let Ok(record) = record else {
            continue;
        };
        if is_blank(&record) {
            continue;
        }
        if let Ok(row) = fields(&record).and_then(|values| header.row(&values)) {
            check_row(template, &row);
        }
    }
}

/// A record's fields as text; the worker refuses a row with a field that is not UTF-8.
fn fields(record: &csv_async::ByteRecord) -> Result<Vec<String>, String> {
    record
        .iter()
        .map(|field| String::from_utf8(field.to_vec()).map_err(|error| error.to_string()))
        .collect()
}

/// The worker skips records of nothing but whitespace.
fn is_blank(record: &csv_async::ByteRecord) -> bool {
    record
        .iter()
        .all(|field| field.iter().all(u8::is_ascii_whitespace))
}

/// `Header::read`, checked against the required columns; the header when accepted.
fn read_header(template: Template, names: &[String]) -> Option<Header> {
    let has = |column: &str| {
        names.iter().any(|name| {
            name.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(column)
        })
    };
    let required = template.required_columns();
    match Header::read(template, names) {
        Ok(header) => {
            assert!(
                required.iter().all(|column| has(column)),
                "accepted a header without every required column: {names:?}"
            );
            Some(header)
        }
        Err(reason) => {
            let missing = reason
                .strip_prefix("missing columns: ")
                .unwrap_or_else(|| panic!("unexpected refusal {reason:?}"));
            for column in missing.split(", ") {
                assert!(
                    required.contains(&column) && !has(column),
                    "{column:?} reported missing from {names:?}"
                );
            }
            None
        }
    }
}

fn check_row(template: Template, row: &RecipientRow) {
    let trimmed = |value: &str| !value.is_empty() && value.trim() == value;
    assert!(
        trimmed(&row.name) && row.name.chars().count() <= 200,
        "{row:?}"
    );
    assert_eq!(
        Email::parse(&row.email).map(|email| email.to_string()),
        Ok(row.email.clone()),
        "the email is not normalised"
    );
    if let Some(note) = &row.delivery_note {
        assert!(trimmed(note) && note.chars().count() <= 500, "{row:?}");
    }
    if let Some(date) = &row.send_on {
        assert!(
            is_iso_date(date),
            "send_on {date:?} is not a YYYY-MM-DD date"
        );
    }
    match &row.address {
        Some(address) => {
            assert_eq!(address.country, template.country());
            assert!(
                trimmed(&address.line1) && !address.city.is_empty(),
                "{row:?}"
            );
            assert!(address.postcode.as_deref().is_some_and(trimmed), "{row:?}");
        }
        None => assert_ne!(row.delivery_method, DeliveryMethod::DeliverDirect),
    }
}

/// Four, two and two ASCII digits between dashes, naming a day in 2000–2100 that the
/// worker's `NaiveDate::parse_from_str(date, "%Y-%m-%d")` reads.
fn is_iso_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
        && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .is_ok_and(|day| (2000..=2100).contains(&chrono::Datelike::year(&day)))
}
