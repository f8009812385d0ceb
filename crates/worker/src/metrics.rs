//! Job counters and latency, registered into the registry the process exposes.

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct WorkerMetrics {
    jobs: IntCounterVec,
    duration: HistogramVec,
}

impl WorkerMetrics {
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let jobs = IntCounterVec::new(
            Opts::new(
                "jobs_total",
                "Job attempts by kind and outcome (completed, retried, dead, skipped).",
            ),
            &["kind", "outcome"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new("job_duration_seconds", "Time a job's handler ran.")
                .buckets(vec![0.005, 0.025, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0]),
            &["kind"],
        )?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(Self { jobs, duration })
    }

    pub fn observe(&self, kind: &str, outcome: &str, elapsed: Duration) {
        self.jobs.with_label_values(&[kind, outcome]).inc();
        self.duration
            .with_label_values(&[kind])
            .observe(elapsed.as_secs_f64());
    }
}
