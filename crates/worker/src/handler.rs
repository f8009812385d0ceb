//! The contract between the worker loop and the code that does a job's work.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

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
pub trait JobHandler: Send + Sync {
    /// The job kind this handler runs, e.g. `send_email`.
    fn kind(&self) -> &'static str;
    /// Does the work. Must be idempotent: a job can be delivered more than once.
    async fn run(&self, job: JobContext, payload: &str) -> Result<(), JobError>;
}

/// Handlers by job kind.
#[derive(Default, Clone)]
pub struct HandlerRegistry {
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
}

impl std::fmt::Debug for HandlerRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.handlers.keys()).finish()
    }
}

impl HandlerRegistry {
    pub fn with(mut self, handler: impl JobHandler + 'static) -> Self {
        self.handlers.insert(handler.kind(), Arc::new(handler));
        self
    }

    /// The job kinds this registry can run.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.handlers.keys().copied().collect()
    }

    pub fn get(&self, kind: &str) -> Option<Arc<dyn JobHandler>> {
        self.handlers.get(kind).cloned()
    }
}
