//! The contract between the worker loop and the code that does a job's work.
//!
//! A handler is written against its own payload type (`JobHandler::Payload`), which names
//! the kind it runs and the lane it runs in. The registry decodes a stored job into that
//! type exactly once, before the handler sees it: a payload that cannot be read is a
//! permanent failure, so no handler ever parses text or rejects another kind's payload.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use trove_domain::job::{JobKind, Lane};

/// Why an attempt failed, which decides what happens next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Might work later (timeouts, 5xx, 429): retried with backoff.
    #[error("transient: {0}")]
    Transient(String),
    /// Will never work (bad payload, a 4xx that will not change): dead at once.
    #[error("permanent: {0}")]
    Permanent(String),
    /// Might work later, and the other side said when (e.g. Slack's `Retry-After`).
    #[error("transient: {reason} (retry after {after:?})")]
    RetryAfter {
        after: std::time::Duration,
        reason: String,
    },
}

/// Which delivery of which job a handler is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobContext {
    pub id: trove_domain::ids::JobId,
    pub attempt: u32,
}

#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// The payload this handler runs; its kind and lane come with the type.
    type Payload: JobKind;
    /// Does the work. Must be idempotent: a job can be delivered more than once.
    async fn run(&self, job: JobContext, payload: Self::Payload) -> Result<(), JobError>;
}

/// A handler behind its payload's decoding, so handlers of different payload types share
/// one registry.
#[async_trait]
pub(crate) trait Dispatch: Send + Sync {
    /// Decodes `stored` as the handler's payload and runs the handler with it.
    async fn dispatch(&self, job: JobContext, stored: &str) -> Result<(), JobError>;
}

struct Typed<H>(H);

#[async_trait]
impl<H: JobHandler> Dispatch for Typed<H> {
    async fn dispatch(&self, job: JobContext, stored: &str) -> Result<(), JobError> {
        let payload = serde_json::from_str::<H::Payload>(stored)
            .map_err(|error| JobError::Permanent(format!("unreadable payload: {error}")))?;
        self.0.run(job, payload).await
    }
}

#[derive(Clone)]
struct Registered {
    lane: Lane,
    handler: Arc<dyn Dispatch>,
}

/// Handlers by job kind, each with the lane its kind runs in.
#[derive(Default, Clone)]
pub struct HandlerRegistry {
    handlers: HashMap<&'static str, Registered>,
}

impl std::fmt::Debug for HandlerRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(
                self.handlers
                    .iter()
                    .map(|(kind, registered)| (kind, registered.lane.as_str())),
            )
            .finish()
    }
}

impl HandlerRegistry {
    /// Adds `handler` for its payload's kind (replacing any handler of that kind).
    pub fn with<H: JobHandler>(mut self, handler: H) -> Self {
        let registered = Registered {
            lane: H::Payload::LANE,
            handler: Arc::new(Typed(handler)),
        };
        self.handlers.insert(H::Payload::KIND, registered);
        self
    }

    /// The job kinds this registry can run.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.handlers.keys().copied().collect()
    }

    /// The job kinds this registry runs in `lane`.
    pub fn kinds_in(&self, lane: Lane) -> Vec<&'static str> {
        self.handlers
            .iter()
            .filter(|(_, registered)| registered.lane == lane)
            .map(|(kind, _)| *kind)
            .collect()
    }

    pub(crate) fn get(&self, kind: &str) -> Option<Arc<dyn Dispatch>> {
        self.handlers
            .get(kind)
            .map(|registered| registered.handler.clone())
    }
}
