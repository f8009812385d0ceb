//! SeaORM entities, one module per table. Only tables that code reads or writes have an
//! entity; the schema itself lives in the `migration` crate.

pub mod job;
