//! Trove's job consumer.
//!
//! Policy: at-least-once. A job is claimed with a lease, run by the handler registered for
//! its kind, then deleted on success, rescheduled with backoff on a transient failure, or
//! kept as dead with its last error once it is permanent or out of attempts. Nothing is
//! dropped with only a log line. The loop survives database outages: it backs off and
//! carries on when the database returns.

pub mod handler;
pub mod worker;

pub use handler::{HandlerRegistry, JobError, JobHandler};
pub use worker::{Outcome, Worker};
