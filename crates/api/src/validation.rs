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

/// A trimmed name of 1–200 characters.
pub fn is_name(value: &str) -> bool {
    let length = value.trim().chars().count();
    (1..=200).contains(&length)
}

/// For PATCH bodies: a field that is present deserializes to `Some(value)` (with `null`
/// as `Some(None)`), an absent one stays `None` through `#[serde(default)]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}
