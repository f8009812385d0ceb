//! Columns for instants, alike on every backend.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// Instants (UTC, no zone) with microseconds on every backend. MySQL/MariaDB `DATETIME`
/// would otherwise drop the fraction, and with it sub-second retry delays and leases.
pub struct Instants(pub DbBackend);

impl Instants {
    fn column<T: IntoIden>(&self, name: T) -> ColumnDef {
        match self.0 {
            DbBackend::MySql => ColumnDef::new(name)
                .custom(Alias::new("DATETIME(6)"))
                .to_owned(),
            _ => ColumnDef::new(name).date_time().to_owned(),
        }
    }

    pub fn required<T: IntoIden>(&self, name: T) -> ColumnDef {
        self.column(name).not_null().to_owned()
    }

    pub fn optional<T: IntoIden>(&self, name: T) -> ColumnDef {
        self.column(name).null().to_owned()
    }
}
