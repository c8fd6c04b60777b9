//! The one ingest pipeline. MQTT deliveries and HTTP batches become [`Submission`]s on one
//! queue; a single writer task takes whatever has queued up (group commit: under load many
//! submissions share a transaction, when idle each is written at once), and in one
//! transaction stores the new readings (a `(device, seq)` already stored is skipped), evaluates
//! the rules on them and opens or updates alerts. Only after the commit is each submission
//! answered, so an MQTT delivery is acknowledged to the broker, and an HTTP batch answered
//! 2xx, only once its readings are durable. Live alert notices go out after the commit too.

use super::alerts::{self, LiveAlert};
use super::{IngestStats, MonitoringState};
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use monitoring::{DeviceStatus, Finding, Reading, ReadingError, Thresholds};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use store::monitoring::{ElderWatch, IngestDevice, ReadingRow};
use store::{time_text, StoreError};
use tokio::sync::mpsc;

/// Where a payload came from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The device named by the MQTT topic; the broker authenticated it.
    Mqtt { device_id: String },
    /// The device whose credential the HTTP request carried.
    Http { device_id: String },
}

impl Source {
    pub fn device_id(&self) -> &str {
        match self {
            Source::Mqtt { device_id } | Source::Http { device_id } => device_id,
        }
    }
}

/// Called once the submission's fate is known: after the commit, or with the error that
/// prevented it.
pub type Reply = Box<dyn FnOnce(std::result::Result<IngestReport, IngestError>) + Send + Sync>;

pub struct Submission {
    pub source: Source,
    pub payload: Vec<u8>,
    pub received_at: DateTime<Utc>,
    /// Keep retrying on a database error instead of answering with it (MQTT: the broker keeps
    /// the unacknowledged delivery, so the pipeline must not give up on it).
    pub retry_until_stored: bool,
    pub reply: Reply,
}

/// One refused reading of a payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// Position in the payload (0 for a single object).
    pub index: usize,
    pub seq: Option<u64>,
    pub reason: &'static str,
    pub field: Option<&'static str>,
    pub message: String,
}

/// What became of one submission.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestReport {
    /// Readings stored now.
    pub accepted: usize,
    /// Readings already stored before (a resend).
    pub duplicates: usize,
    /// Readings under a seq already stored with other content: kept apart and counted on the
    /// device, never in place of the stored one (an emergency among them still raises its alert).
    pub conflicts: usize,
    pub rejected: Vec<Rejection>,
    /// Alerts opened or updated by this submission's readings.
    pub alerts: Vec<String>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum IngestError {
    /// The payload as a whole is not readings (not JSON, too many, …).
    #[error("{0}")]
    Payload(ReadingError),
    #[error("the pipeline is not running")]
    Closed,
    #[error("storage failed: {0}")]
    Storage(String),
}

/// A handle to submit payloads to the writer.
#[derive(Clone)]
pub struct IngestHandle {
    sender: mpsc::Sender<Submission>,
}

impl IngestHandle {
    /// Queues a submission; waits when the queue is full (back-pressure on the broker and on
    /// HTTP clients instead of unbounded memory).
    pub async fn submit(&self, submission: Submission) -> std::result::Result<(), IngestError> {
        self.sender
            .send(submission)
            .await
            .map_err(|_| IngestError::Closed)
    }

    /// Submits and waits for the report (HTTP).
    pub async fn submit_and_wait(
        &self,
        source: Source,
        payload: Vec<u8>,
        received_at: DateTime<Utc>,
    ) -> std::result::Result<IngestReport, IngestError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(Submission {
            source,
            payload,
            received_at,
            retry_until_stored: false,
            reply: Box::new(move |result| {
                let _ = tx.send(result);
            }),
        })
        .await?;
        rx.await.unwrap_or(Err(IngestError::Closed))
    }
}

/// Submissions the writer holds: any still held when it is dropped (the writer panicked) are
/// answered with [`IngestError::Closed`], never left waiting.
#[derive(Default)]
struct InFlight(Vec<Submission>);

impl InFlight {
    fn take(&mut self) -> Vec<Submission> {
        std::mem::take(&mut self.0)
    }
}

impl std::ops::Deref for InFlight {
    type Target = Vec<Submission>;
    fn deref(&self) -> &Vec<Submission> {
        &self.0
    }
}

impl std::ops::DerefMut for InFlight {
    fn deref_mut(&mut self) -> &mut Vec<Submission> {
        &mut self.0
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        for submission in self.take() {
            (submission.reply)(Err(IngestError::Closed));
        }
    }
}

/// What the pipeline remembers of an elder between batches.
#[derive(Debug, Clone)]
pub(crate) struct CachedElder {
    pub watch: ElderWatch,
    pub thresholds: Thresholds,
    pub loaded: Instant,
}

/// How long an elder's thresholds and placement are reused before being read again (a change
/// made on this server forgets them at once; one made on another server is seen this late).
const ELDER_CACHE_TTL: Duration = Duration::from_secs(60);
/// Submissions waiting for the writer before `submit` waits.
const QUEUE_DEPTH: usize = 4096;

impl App {
    /// The pipeline's handle; the writer task starts on first use, under the supervisor
    /// (`ingest_writer`). The queue outlives a writer that panics: the next one takes it up,
    /// and the submissions the failed writer held are answered with [`IngestError::Closed`]
    /// (HTTP gets an error, MQTT leaves the delivery unacknowledged for redelivery).
    pub fn ingest(&self) -> IngestHandle {
        self.monitoring
            .ingest
            .get_or_init(|| {
                let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
                let receiver = std::sync::Arc::new(tokio::sync::Mutex::new(receiver));
                let app = self.clone();
                self.tasks
                    .spawn("ingest_writer", crate::tasks::Need::Required, move || {
                        let (app, receiver) = (app.clone(), receiver.clone());
                        async move { app.write_loop(&mut *receiver.lock().await).await }
                    });
                IngestHandle { sender }
            })
            .clone()
    }

    async fn write_loop(self, receiver: &mut mpsc::Receiver<Submission>) {
        let max = self.monitoring.settings.max_batch_readings.max(1);
        let mut retry = InFlight::default();
        loop {
            let mut group = InFlight(retry.take());
            if group.is_empty() {
                match receiver.recv().await {
                    Some(s) => group.push(s),
                    None => return,
                }
            }
            // Take whatever else is already waiting, up to the batch size (estimated by bytes:
            // a reading is ~100 bytes of JSON).
            let mut bytes: usize = group.iter().map(|s| s.payload.len()).sum();
            while bytes / 100 < max {
                match receiver.try_recv() {
                    Ok(s) => {
                        bytes += s.payload.len();
                        group.push(s);
                    }
                    Err(_) => break,
                }
            }
            match self.write_group(&group).await {
                Ok((reports, live)) => {
                    for (submission, report) in group.take().into_iter().zip(reports) {
                        (submission.reply)(report);
                    }
                    for notice in live {
                        let _ = self.monitoring.live.send(notice);
                    }
                }
                Err(error) => {
                    IngestStats::add(&self.monitoring.stats.commit_failures, 1);
                    tracing::error!(%error, "ingest: storing a batch failed");
                    for submission in group.take() {
                        if submission.retry_until_stored {
                            retry.push(submission);
                        } else {
                            (submission.reply)(Err(IngestError::Storage(error.to_string())));
                        }
                    }
                    if !retry.is_empty() {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        }
    }

    /// Writes one group in one transaction; returns each submission's result and the live
    /// notices to send after the commit.
    #[allow(clippy::type_complexity)]
    async fn write_group<'g>(
        &self,
        group: &'g [Submission],
    ) -> Result<(
        Vec<std::result::Result<IngestReport, IngestError>>,
        Vec<LiveAlert>,
    )> {
        let authorized = crate::auth::system_access(self.now());
        let state: &MonitoringState = &self.monitoring;
        let now = self.now();
        let parsed: Vec<_> = group
            .iter()
            .map(|s| monitoring::parse_payload(&s.payload, now))
            .collect();
        let mut tx = self.store.begin().await?;
        let mut device_ids: Vec<&str> = group.iter().map(|s| s.source.device_id()).collect();
        device_ids.sort_unstable();
        device_ids.dedup();
        let devices: HashMap<String, IngestDevice> =
            store::monitoring::devices_for_ingest(&mut tx, &authorized, &device_ids)
                .await?
                .into_iter()
                .map(|d| (d.id.clone(), d))
                .collect();

        let mut reports: Vec<std::result::Result<IngestReport, IngestError>> =
            Vec::with_capacity(group.len());
        let mut rows: Vec<ReadingRow> = Vec::new();
        // (submission, reading) of each row, to find the findings' owners after the insert.
        let mut row_owner: Vec<(usize, Reading)> = Vec::new();
        // Where each (device, seq) first stands in `rows`; a later one with other content is a
        // conflict, with the same content a resend.
        let mut seen_in_group: HashMap<(&str, u64), usize> = HashMap::new();
        let mut conflicting: Vec<(usize, ReadingRow, Reading)> = Vec::new();
        // Refusals counted on the device's row: (count, the last one's message). Readings of an
        // unknown device are only counted in the stats: there is no row to count them on, and
        // a stranger must not be able to fill a table.
        let mut rejections_by_device: HashMap<&str, (i64, String)> = HashMap::new();
        let mut note_rejection = |device_id: &'g str, message: String| {
            if devices.contains_key(device_id) {
                let entry = rejections_by_device.entry(device_id).or_default();
                entry.0 += 1;
                entry.1 = message;
            }
        };
        for (i, (submission, parsed)) in group.iter().zip(&parsed).enumerate() {
            let device_id = submission.source.device_id();
            let device = devices.get(device_id);
            let items = match parsed {
                Ok(items) => items,
                Err(error) => {
                    state.stats.reject(error.reason(), 1);
                    note_rejection(device_id, error.to_string());
                    reports.push(Err(IngestError::Payload(error.clone())));
                    continue;
                }
            };
            let received = time_text(submission.received_at);
            let mut report = IngestReport::default();
            let refusal: Option<(&'static str, String)> = match device {
                None => Some((
                    "unknown_device",
                    format!("device {device_id} is not registered"),
                )),
                Some(d) if d.status != DeviceStatus::Bound || d.elder_id.is_none() => Some((
                    "unbound_device",
                    format!("device {device_id} is not bound to an elder"),
                )),
                _ => None,
            };
            let kind = device.map(|d| d.kind);
            for (index, item) in items.iter().enumerate() {
                let refused = match (item, &refusal) {
                    (_, Some((reason, message))) => Some(Rejection {
                        index,
                        seq: item.as_ref().ok().map(|r| r.seq),
                        reason,
                        field: None,
                        message: message.clone(),
                    }),
                    (Err(error), None) => Some(Rejection {
                        index,
                        seq: None,
                        reason: error.reason(),
                        field: error.field(),
                        message: error.to_string(),
                    }),
                    (Ok(reading), None)
                        if kind.is_some_and(|k| !k.may_send(reading.values.kind())) =>
                    {
                        Some(Rejection {
                            index,
                            seq: Some(reading.seq),
                            reason: "wrong_kind",
                            field: Some("kind"),
                            message: format!(
                                "a {} does not send {} readings",
                                kind.map(|k| k.code()).unwrap_or_default(),
                                reading.values.kind()
                            ),
                        })
                    }
                    (Ok(reading), None) => {
                        let elder_id = device.and_then(|d| d.elder_id.clone()).unwrap_or_default();
                        let row = reading_row(device_id, &elder_id, reading, &received);
                        match seen_in_group.get(&(device_id, reading.seq)) {
                            None => {
                                seen_in_group.insert((device_id, reading.seq), rows.len());
                                rows.push(row);
                                row_owner.push((i, reading.clone()));
                            }
                            Some(&first) if rows[first].same_content(&row) => {
                                report.duplicates += 1;
                            }
                            Some(_) => conflicting.push((i, row, reading.clone())),
                        }
                        None
                    }
                };
                if let Some(rejection) = refused {
                    state.stats.reject(rejection.reason, 1);
                    note_rejection(device_id, rejection.message.clone());
                    report.rejected.push(rejection);
                }
            }
            reports.push(Ok(report));
        }

        // Which rows were stored now (the others were stored before: a resend).
        let position: HashMap<(&str, i64), usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.device_id.as_str(), r.seq), i))
            .collect();
        let mut is_new = vec![false; rows.len()];
        for (device_id, seq) in
            store::monitoring::insert_readings(&mut tx, &authorized, &rows).await?
        {
            if let Some(&i) = position.get(&(device_id.as_str(), seq)) {
                is_new[i] = true;
            }
        }

        // What was not new is a resend if the stored reading says the same, else a conflict.
        let not_new: Vec<(&str, i64)> = rows
            .iter()
            .zip(&is_new)
            .filter(|(_, &new)| !new)
            .map(|(r, _)| (r.device_id.as_str(), r.seq))
            .collect();
        let stored: HashMap<(String, i64), ReadingRow> = if not_new.is_empty() {
            HashMap::new()
        } else {
            store::monitoring::stored_readings(&mut tx, &authorized, &not_new)
                .await?
                .into_iter()
                .map(|r| ((r.device_id.clone(), r.seq), r))
                .collect()
        };
        let mut is_conflict = vec![false; rows.len()];
        for (i, row) in rows.iter().enumerate() {
            if !is_new[i] {
                let key = (row.device_id.clone(), row.seq);
                is_conflict[i] = stored.get(&key).is_some_and(|s| !s.same_content(row));
            }
        }
        for ((row, (owner, reading)), _) in rows
            .iter()
            .zip(&row_owner)
            .zip(&is_conflict)
            .filter(|(_, &c)| c)
        {
            conflicting.push((*owner, row.clone(), reading.clone()));
        }
        let conflict_rows: Vec<ReadingRow> = conflicting.iter().map(|c| c.1.clone()).collect();
        let conflicts_kept = if conflict_rows.is_empty() {
            0
        } else {
            store::monitoring::insert_reading_conflicts(&mut tx, &authorized, &conflict_rows, now)
                .await?
                .iter()
                .map(|(_, n)| *n as u64)
                .sum()
        };

        // Count accepted, duplicate and conflicting readings per submission; gather the
        // findings: of every new reading, and of every emergency among the conflicts (an SOS
        // must never vanish because its seq was used before).
        let mut new_readings: Vec<(usize, &str, &str, &Reading)> = Vec::new();
        for (((row, (owner, reading)), &is_new), &conflict) in
            rows.iter().zip(&row_owner).zip(&is_new).zip(&is_conflict)
        {
            if let Ok(report) = &mut reports[*owner] {
                if is_new {
                    report.accepted += 1;
                } else if !conflict {
                    report.duplicates += 1;
                }
            }
            if is_new {
                new_readings.push((*owner, &row.device_id, &row.elder_id, reading));
            }
        }
        for (owner, row, reading) in &conflicting {
            if let Ok(report) = &mut reports[*owner] {
                report.conflicts += 1;
            }
            if reading.values.reading_kind().is_emergency() {
                new_readings.push((*owner, &row.device_id, &row.elder_id, reading));
            }
        }
        let elders = self
            .watch_elders(&mut tx, new_readings.iter().map(|r| r.2))
            .await?;
        // One finding per elder and rule per group: the most severe, then the latest.
        let mut findings: HashMap<
            (String, &'static str),
            (usize, String, u64, DateTime<Utc>, Finding),
        > = HashMap::new();
        for (owner, device_id, elder_id, reading) in &new_readings {
            let Some(elder) = elders.get(*elder_id) else {
                continue;
            };
            for finding in monitoring::evaluate(&reading.values, &elder.thresholds) {
                let key = (elder_id.to_string(), finding.rule);
                let replace = findings
                    .get(&key)
                    .is_none_or(|held| (finding.severity, reading.ts) >= (held.4.severity, held.3));
                if replace {
                    findings.insert(
                        key,
                        (
                            *owner,
                            device_id.to_string(),
                            reading.seq,
                            reading.ts,
                            finding,
                        ),
                    );
                }
            }
        }
        let mut live = Vec::new();
        let mut findings: Vec<_> = findings.into_iter().collect();
        findings.sort_by(|a, b| a.0.cmp(&b.0));
        for ((elder_id, _rule), (owner, device_id, seq, _ts, finding)) in findings {
            let Some(elder) = elders.get(&elder_id) else {
                continue;
            };
            let change = alerts::raise(
                &mut tx,
                &state.settings.escalation,
                &elder.watch,
                &finding,
                Some(&device_id),
                Some(seq as i64),
                now,
            )
            .await?;
            if change.opened {
                IngestStats::add(&state.stats.alerts_opened, 1);
            } else {
                IngestStats::add(&state.stats.alerts_updated, 1);
            }
            if let Ok(report) = &mut reports[owner] {
                report.alerts.push(change.notice.alert_id.clone());
            }
            if change.notify {
                live.push(change.notice);
            }
        }

        let mut heard: Vec<&str> = rows
            .iter()
            .zip(&is_new)
            .filter(|(_, &new)| new)
            .map(|(r, _)| r.device_id.as_str())
            .collect();
        heard.sort_unstable();
        heard.dedup();
        store::monitoring::touch_devices(&mut tx, &heard, now).await?;
        for (device_id, (count, reason)) in &rejections_by_device {
            store::monitoring::note_rejections(&mut tx, device_id, *count, reason, now).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;

        IngestStats::add(&state.stats.commits, 1);
        IngestStats::add(&state.stats.accepted, new_readings.len() as u64);
        let duplicates: usize = reports
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| r.duplicates)
            .sum();
        IngestStats::add(&state.stats.duplicates, duplicates as u64);
        IngestStats::add(&state.stats.conflicts, conflicts_kept);
        Ok((reports, live))
    }

    /// The elders of `ids` with their thresholds, from the cache or the database.
    pub(super) async fn watch_elders<'a>(
        &self,
        conn: &mut store::Conn,
        ids: impl Iterator<Item = &'a str>,
    ) -> Result<HashMap<String, CachedElder>> {
        let mut found = HashMap::new();
        let mut missing: Vec<&str> = Vec::new();
        {
            let cache = self.monitoring.elders.lock().expect("elder cache lock");
            for id in ids {
                if found.contains_key(id) || missing.contains(&id) {
                    continue;
                }
                match cache.get(id) {
                    Some(c) if c.loaded.elapsed() < ELDER_CACHE_TTL => {
                        found.insert(id.to_string(), c.clone());
                    }
                    _ => missing.push(id),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let loaded = store::monitoring::elders_to_watch(
            conn,
            &crate::auth::system_access(self.now()),
            &missing,
        )
        .await?;
        let mut cache = self.monitoring.elders.lock().expect("elder cache lock");
        if cache.len() > 200_000 {
            cache.clear();
        }
        for watch in loaded {
            let thresholds = watch
                .thresholds
                .as_deref()
                .map(super::thresholds::thresholds_from_json)
                .unwrap_or_default();
            let cached = CachedElder {
                watch,
                thresholds,
                loaded: Instant::now(),
            };
            cache.insert(cached.watch.id.clone(), cached.clone());
            found.insert(cached.watch.id.clone(), cached);
        }
        Ok(found)
    }
}

/// The stored row of a checked reading (its columns: `monitoring::Values::to_columns`).
pub fn reading_row(
    device_id: &str,
    elder_id: &str,
    reading: &Reading,
    received: &str,
) -> ReadingRow {
    ReadingRow {
        device_id: device_id.to_string(),
        seq: i64::try_from(reading.seq).unwrap_or(i64::MAX),
        elder_id: elder_id.to_string(),
        measured_at: time_text(reading.ts),
        received_at: received.to_string(),
        values: reading.values.clone(),
    }
}

impl From<IngestError> for AppError {
    fn from(error: IngestError) -> AppError {
        AppError::Internal(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that panics drops the submissions it holds: each is answered, none waits for
    /// ever (HTTP gets an error; MQTT leaves the delivery unacknowledged for redelivery).
    #[tokio::test]
    async fn submissions_held_by_a_failed_writer_are_answered_closed() {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let held = InFlight(vec![Submission {
            source: Source::Http {
                device_id: "D-1".into(),
            },
            payload: b"{}".to_vec(),
            received_at: Utc::now(),
            retry_until_stored: false,
            reply: Box::new(move |result| {
                let _ = tx.send(result);
            }),
        }]);
        let writer = tokio::spawn(async move {
            let _held = held;
            panic!("injected writer failure");
        });
        assert!(writer.await.unwrap_err().is_panic());
        let answer = tokio::time::timeout(Duration::from_secs(5), rx)
            .await
            .expect("answered, not left waiting")
            .expect("a reply");
        assert!(matches!(answer, Err(IngestError::Closed)), "{answer:?}");
    }
}
