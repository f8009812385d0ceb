//! Collecting field problems into one 422, so a client sees every mistake at once.

use crate::error::{ApiError, FieldError};

#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    /// Records `message` against `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.0.push(FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            });
        }
        self
    }

    /// `Ok` when nothing was recorded, else the 422 listing every problem.
    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(std::mem::take(&mut self.0)))
        }
    }
}

pub use trove_app::catalogue::is_name;

/// For PATCH bodies: a field that is present deserializes to `Some(value)` (with `null`
/// as `Some(None)`), an absent one stays `None` through `#[serde(default)]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// The largest page any list returns.
pub const MAX_PER_PAGE: u64 = 100;

/// The page size of a list that is not told one.
pub const DEFAULT_PER_PAGE: u64 = 20;

/// The highest page number a list accepts: a million pages of a hundred rows is beyond
/// any vendor's data, and keeps the row offset far inside every driver's integer.
pub const MAX_PAGE: u64 = 1_000_000;

/// Validates 1-based `page` (at most `MAX_PAGE`) and `per_page` (default 20, at most
/// `MAX_PER_PAGE`).
pub fn paging(
    fields: &mut Fields,
    page: Option<u64>,
    per_page: Option<u64>,
) -> Result<(u64, u64), ApiError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    fields
        .check(
            (1..=MAX_PAGE).contains(&page),
            "page",
            "must be 1 to 1000000",
        )
        .check(
            (1..=MAX_PER_PAGE).contains(&per_page),
            "per_page",
            "must be 1 to 100",
        )
        .finish()?;
    Ok((page, per_page))
}

/// Ids for a message: `a, b, c`.
pub fn id_list(ids: &[uuid::Uuid]) -> String {
    ids.iter()
        .map(uuid::Uuid::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
