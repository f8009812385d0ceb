//! What every Trove binary needs before it can do work: layered settings, logging and
//! error reporting, and the shutdown signal.
//!
//! Policy: this crate knows nothing about HTTP, the database or jobs. Settings are loaded
//! once in `main` and passed down explicitly; there is no global configuration.

pub mod secret_file;
pub mod settings;
pub mod shutdown;
pub mod telemetry;

pub use settings::{Environment, Settings};
