//! Trove's job consumer.
//!
//! Policy: at-least-once. A worker claims only jobs of kinds it has a handler for, with a
//! lease; the handler runs, then deleted on success, rescheduled with backoff on a transient failure, or
//! kept as dead with its last error once it is permanent or out of attempts. A handler that
//! panics has failed that attempt, like a transient error. Nothing is dropped with only a
//! log line. Slow kinds run in a lane of their own, so they never take every slot. The
//! loop survives database outages: it backs off and carries on when the database returns.

pub mod handler;
pub mod handlers;
pub mod metrics;
pub mod metrics_server;
pub mod queue;
pub mod service;
pub mod worker;

pub use handler::{HandlerRegistry, JobContext, JobError, JobHandler};
pub use metrics::WorkerMetrics;
pub use service::WorkerService;
pub use worker::{Outcome, Worker};
