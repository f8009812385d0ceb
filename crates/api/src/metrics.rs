//! Prometheus metrics of this API instance, rendered at `GET /metrics`.
//!
//! Each `Application` owns its registry (no process-global registry), so several apps in
//! one test process count separately. Routes are labelled by their pattern
//! (`/api/v1/vendors/{id}`), never the raw path, to keep label cardinality bounded.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use std::time::Duration;
use trove_data_access::jobs::QueueStats;

#[derive(Debug, Clone)]
pub struct HttpMetrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    queue_jobs: IntGaugeVec,
    queue_oldest_due: IntGauge,
}

impl HttpMetrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("trove".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route and status.",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from receiving a request to having its response ready.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )?;
        let queue_jobs = IntGaugeVec::new(
            Opts::new("queue_jobs", "Jobs in the SQL queue by status."),
            &["status"],
        )?;
        let queue_oldest_due = IntGauge::new(
            "queue_oldest_due_age_seconds",
            "How long the oldest due job has been waiting for a worker.",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(queue_jobs.clone()))?;
        registry.register(Box::new(queue_oldest_due.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            queue_jobs,
            queue_oldest_due,
        })
    }

    /// The registry other components of this process (the worker) add their metrics to.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Records the queue as read at scrape time.
    pub fn set_queue(&self, stats: QueueStats) {
        for (status, count) in [
            ("pending", stats.pending),
            ("running", stats.running),
            ("dead", stats.dead),
        ] {
            self.queue_jobs
                .with_label_values(&[status])
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
        self.queue_oldest_due.set(stats.oldest_due_age_seconds);
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|error| prometheus::Error::Msg(error.to_string()))
    }
}
