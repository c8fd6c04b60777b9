//! Remote monitoring use cases: home devices bound to elders (`devices`), the one ingest
//! pipeline MQTT and HTTP share (`ingest`), alerts with their timeline and escalation
//! (`alerts`), per-elder thresholds (`thresholds`) and the notification channels (`notify`).
//!
//! The rules themselves are in the pure `monitoring` crate; this module stores, authorizes,
//! audits and tells people.

pub mod alerts;
pub mod broker_accounts;
pub mod devices;
pub mod ingest;
pub mod notify;
pub mod outbox;
pub mod readings;
pub mod thresholds;

pub use alerts::{AlertView, LiveAlert};
pub use broker_accounts::DeviceAccounts;
pub use devices::{DeviceView, RegisteredDevice};
pub use ingest::{IngestHandle, IngestReport, Rejection, Submission};
/// Stored shapes the monitoring use cases hand out as they are.
pub use store::monitoring::{AlertRow, IngestDevice, ReadingRow};

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// The deployment's monitoring settings (`[monitoring]` in the configuration).
#[derive(Debug, Clone)]
pub struct MonitoringSettings {
    /// Minutes from an alert's opening to each escalation step.
    pub escalation: monitoring::Policy,
    /// Which notification channels escalation uses (`in_app` is always on).
    pub channels: Vec<String>,
    /// At most this many readings are written in one transaction.
    pub max_batch_readings: usize,
}

impl Default for MonitoringSettings {
    fn default() -> MonitoringSettings {
        MonitoringSettings {
            escalation: monitoring::Policy::default(),
            channels: vec!["in_app".into(), "sms".into(), "wechat".into()],
            max_batch_readings: 20_000,
        }
    }
}

/// Counters of the pipeline, for `/metrics` and the benchmark.
#[derive(Debug, Default)]
pub struct IngestStats {
    pub accepted: AtomicU64,
    pub duplicates: AtomicU64,
    /// Readings kept apart because their seq was used before with other content.
    pub conflicts: AtomicU64,
    pub alerts_opened: AtomicU64,
    pub alerts_updated: AtomicU64,
    pub commits: AtomicU64,
    pub commit_failures: AtomicU64,
    rejected: Mutex<HashMap<&'static str, u64>>,
}

impl IngestStats {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    pub fn reject(&self, reason: &'static str, n: u64) {
        let mut map = self.rejected.lock().expect("stats lock");
        *map.entry(reason).or_default() += n;
    }

    /// `(reason, count)` of refused readings, sorted by reason.
    pub fn rejected(&self) -> Vec<(&'static str, u64)> {
        let map = self.rejected.lock().expect("stats lock");
        let mut all: Vec<(&'static str, u64)> = map.iter().map(|(k, v)| (*k, *v)).collect();
        all.sort();
        all
    }

    pub fn rejected_total(&self) -> u64 {
        self.rejected().iter().map(|r| r.1).sum()
    }
}

/// Process-wide monitoring state: settings, counters, the live channel and the pipeline.
pub struct MonitoringState {
    pub settings: MonitoringSettings,
    pub stats: IngestStats,
    pub live: broadcast::Sender<LiveAlert>,
    pub(crate) ingest: std::sync::OnceLock<IngestHandle>,
    pub(crate) elders: Mutex<HashMap<String, ingest::CachedElder>>,
}

impl MonitoringState {
    pub fn new(settings: MonitoringSettings) -> MonitoringState {
        let (live, _) = broadcast::channel(4096);
        MonitoringState {
            settings,
            stats: IngestStats::default(),
            live,
            ingest: std::sync::OnceLock::new(),
            elders: Mutex::new(HashMap::new()),
        }
    }
}

impl crate::App {
    pub fn monitoring(&self) -> &MonitoringState {
        &self.monitoring
    }

    pub fn with_monitoring_settings(mut self, settings: MonitoringSettings) -> crate::App {
        self.monitoring = Arc::new(MonitoringState::new(settings));
        self
    }

    /// Live alert notices (opened, updated, acknowledged, resolved, escalated), for the board.
    pub fn subscribe_alerts(&self) -> broadcast::Receiver<LiveAlert> {
        self.monitoring.live.subscribe()
    }

    /// Forgets what the pipeline remembers of an elder (thresholds changed).
    pub(crate) fn forget_elder(&self, elder_id: &str) {
        self.monitoring
            .elders
            .lock()
            .expect("elder cache lock")
            .remove(elder_id);
    }
}
