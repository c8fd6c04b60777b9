//! Prometheus metrics at `/metrics`, in the text exposition format, without a metrics crate:
//! a few counters and one latency histogram, and the ingest pipeline's counters.

use crate::WebState;
use app::monitoring::{IngestStats, MonitoringState};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status class) → count
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let class = status / 100 * 100;
        *self
            .requests
            .lock()
            .expect("metrics lock")
            .entry((method.to_string(), route.to_string(), class))
            .or_default() += 1;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP yiyang_http_requests_total HTTP requests by method, route and status class.\n",
        );
        out.push_str("# TYPE yiyang_http_requests_total counter\n");
        for ((method, route, class), n) in self.requests.lock().expect("metrics lock").iter() {
            out.push_str(&format!(
                "yiyang_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{}xx\"}} {n}\n",
                class / 100
            ));
        }
        out.push_str("# HELP yiyang_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE yiyang_http_request_duration_seconds histogram\n");
        for (i, bound) in BUCKETS.iter().enumerate() {
            out.push_str(&format!(
                "yiyang_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}\n",
                self.latency_buckets[i].load(Ordering::Relaxed)
            ));
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        out.push_str(&format!(
            "yiyang_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"
        ));
        out.push_str(&format!(
            "yiyang_http_request_duration_seconds_sum {}\n",
            self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        ));
        out.push_str(&format!(
            "yiyang_http_request_duration_seconds_count {count}\n"
        ));
        if let Some(rss) = resident_memory_bytes() {
            out.push_str("# HELP process_resident_memory_bytes Resident memory size in bytes.\n");
            out.push_str("# TYPE process_resident_memory_bytes gauge\n");
            out.push_str(&format!("process_resident_memory_bytes {rss}\n"));
        }
        out.push_str("# HELP yiyang_build_info Version of the running binary.\n# TYPE yiyang_build_info gauge\n");
        out.push_str(&format!(
            "yiyang_build_info{{version=\"{}\"}} 1\n",
            env!("CARGO_PKG_VERSION")
        ));
        out
    }
}

/// Resident set size from `/proc/self/statm` (Linux); None elsewhere.
pub fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

pub async fn track(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    // The route pattern, never the concrete path: ids must not become label values.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    state.metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// The ingest pipeline's counters and the live board's listeners.
pub fn render_monitoring(monitoring: &MonitoringState) -> String {
    let stats = &monitoring.stats;
    let mut out = String::new();
    let counters = [
        (
            "yiyang_readings_accepted_total",
            "Device readings stored.",
            &stats.accepted,
        ),
        (
            "yiyang_readings_duplicates_total",
            "Device readings received again and stored once (resends).",
            &stats.duplicates,
        ),
        (
            "yiyang_readings_conflicts_total",
            "Device readings under a seq already stored with other content, kept apart.",
            &stats.conflicts,
        ),
        (
            "yiyang_alerts_opened_total",
            "Alerts opened by readings.",
            &stats.alerts_opened,
        ),
        (
            "yiyang_alerts_updated_total",
            "Open alerts that a repeated finding updated.",
            &stats.alerts_updated,
        ),
        (
            "yiyang_ingest_commits_total",
            "Transactions of the ingest writer.",
            &stats.commits,
        ),
        (
            "yiyang_ingest_commit_failures_total",
            "Ingest transactions that failed.",
            &stats.commit_failures,
        ),
    ];
    for (name, help, value) in counters {
        let value = IngestStats::get(value);
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
        ));
    }
    out.push_str(
        "# HELP yiyang_readings_rejected_total Device readings (or whole payloads) refused, by reason.\n",
    );
    out.push_str("# TYPE yiyang_readings_rejected_total counter\n");
    for (reason, n) in stats.rejected() {
        out.push_str(&format!(
            "yiyang_readings_rejected_total{{reason=\"{reason}\"}} {n}\n"
        ));
    }
    out.push_str(
        "# HELP yiyang_alert_stream_listeners Open live alert streams.\n# TYPE yiyang_alert_stream_listeners gauge\n",
    );
    out.push_str(&format!(
        "yiyang_alert_stream_listeners {}\n",
        monitoring.live.receiver_count()
    ));
    out
}

pub async fn render(State(state): State<WebState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    text.push_str(&render_monitoring(state.app.monitoring()));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
