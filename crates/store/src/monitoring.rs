//! Devices, readings, per-elder thresholds, alerts with their timeline, the notification outbox
//! and 120 dispatch records.
//!
//! Readings are keyed by `(device_id, seq)`: the insert skips a pair that is already stored, so a
//! resend (an MQTT redelivery after a crash, an HTTP retry) is stored once. The ingest path
//! reads devices without a scope (a device's credential or the broker authorizes it); every
//! query a person makes takes an [`Authorized`] over the elder the record belongs to.

use crate::sql::{row, Param, Row};
use crate::Authorized;
use crate::{new_id, time_text, Conn, Result, Sql, StoreError};
use chrono::{DateTime, Utc};
use monitoring::{
    AlertStatus, Columns, DeviceKind, DeviceStatus, DispatchStatus, NotifyChannel, ReadingKind,
    Severity, Values,
};

// ---------------------------------------------------------------------------------------------
// Devices

row! {
    #[derive(Debug, Clone)]
    pub struct DeviceRow in "d" {
        pub id: String,
        #[sqlx(try_from = "String")]
        pub kind: DeviceKind,
        pub elder_id: Option<String>,
        pub elder_name: Option<String> = "e.name",
        #[sqlx(try_from = "String")]
        pub status: DeviceStatus,
        pub bound_at: Option<String>,
        pub unbound_at: Option<String>,
        pub last_seen_at: Option<String>,
        pub rejected: i64,
        pub last_rejection: Option<String>,
        pub created_at: String,
        /// The organization the device belongs to, bound or not.
        pub organization_id: Option<String>,
        /// Readings sent under a seq already stored with other content.
        pub conflicts: i64,
        pub last_conflict_at: Option<String>,
    }
}

/// Devices with the elder each is bound to, if any.
const DEVICES: &str = "devices d LEFT JOIN elders e ON e.id = d.elder_id";

row! {
    /// A device as the ingest pipeline needs it.
    #[derive(Debug, Clone)]
    pub struct IngestDevice {
        pub id: String,
        #[sqlx(try_from = "String")]
        pub kind: DeviceKind,
        pub elder_id: Option<String>,
        #[sqlx(try_from = "String")]
        pub status: DeviceStatus,
    }
}

/// A device to register, bound to `elder_id`, belonging to `organization_id`.
pub struct NewDevice<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub elder_id: &'a str,
    pub organization_id: Option<&'a str>,
    pub credential_hash: &'a str,
}

/// Registers a device; `Conflict` if the id is taken.
pub async fn insert_device(
    conn: &mut Conn,
    _authorized: &Authorized,
    device: &NewDevice<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let at = time_text(now);
    sqlx::query(
        "INSERT INTO devices (id, kind, elder_id, organization_id, credential_hash, status, \
         bound_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'bound', $6, $6, $6)",
    )
    .bind(device.id)
    .bind(device.kind)
    .bind(device.elder_id)
    .bind(device.organization_id)
    .bind(device.credential_hash)
    .bind(&at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Binds an existing device to `elder_id` with a new credential.
pub async fn bind_device(
    conn: &mut Conn,
    _authorized: &Authorized,
    id: &str,
    elder_id: &str,
    organization_id: Option<&str>,
    credential_hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE devices SET elder_id = $1, credential_hash = $2, status = 'bound', \
         bound_at = $3, unbound_at = NULL, last_seen_at = NULL, updated_at = $3, \
         organization_id = $4 WHERE id = $5",
    )
    .bind(elder_id)
    .bind(credential_hash)
    .bind(time_text(now))
    .bind(organization_id)
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Unbinds a device: from now on its readings are refused. Its credential is replaced by a
/// value no one holds, so it authenticates nothing until it is bound again.
pub async fn unbind_device(
    conn: &mut Conn,
    _authorized: &Authorized,
    id: &str,
    dead_credential_hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE devices SET elder_id = NULL, status = 'unbound', credential_hash = $1, \
         unbound_at = $2, updated_at = $2 WHERE id = $3 AND status = 'bound'",
    )
    .bind(dead_credential_hash)
    .bind(time_text(now))
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The condition that keeps devices (`d`, elders `e` left-joined) inside `scope`: a bound
/// device follows its elder; an unbound one stays with its organization (a grant to read an
/// elder never reaches a spare device).
fn device_scope(sql: &mut Sql, scope: &Authorized) {
    sql.push("((e.id IS NOT NULL AND ");
    sql.elder_scope(scope);
    sql.push(") OR (e.id IS NULL AND ");
    if scope.reaches_everything() {
        sql.push("1 = 1");
    } else {
        sql.organization_scope("d.organization_id", scope.scope());
    }
    sql.push("))");
}

pub async fn get_device(
    conn: &mut Conn,
    scope: &Authorized,
    id: &str,
) -> Result<Option<DeviceRow>> {
    let mut sql = Sql::select::<DeviceRow>(&format!("{DEVICES} WHERE d.id = "));
    sql.text(id).push(" AND ");
    device_scope(&mut sql, scope);
    Ok(sql.query_as().fetch_optional(conn).await?)
}

/// Whether a device id is registered at all (for a clear conflict message).
pub async fn device_exists(conn: &mut Conn, id: &str) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM devices WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

pub async fn list_devices(
    conn: &mut Conn,
    scope: &Authorized,
    elder_id: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<DeviceRow>, i64)> {
    let mut condition = Sql::new(&format!(" FROM {DEVICES} WHERE "));
    device_scope(&mut condition, scope);
    if let Some(elder) = elder_id {
        condition.push(" AND d.elder_id = ").text(elder);
    }
    condition.page(conn, "d.id", offset, limit).await
}

/// The devices among `ids` that exist (any status).
pub async fn devices_for_ingest(
    conn: &mut Conn,
    _authorized: &Authorized,
    ids: &[&str],
) -> Result<Vec<IngestDevice>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut sql = Sql::select::<IngestDevice>("devices WHERE id IN (");
        sql.text_list(chunk);
        sql.push(")");
        found.extend(sql.query_as::<IngestDevice>().fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// The bound device holding the credential with this hash.
pub async fn device_by_credential(
    conn: &mut Conn,
    _authorized: &Authorized,
    hash: &str,
) -> Result<Option<IngestDevice>> {
    let mut sql = Sql::select::<IngestDevice>("devices WHERE credential_hash = ");
    sql.text(hash).push(" AND status = 'bound'");
    Ok(sql.query_as().fetch_optional(conn).await?)
}

/// Counts refused readings of a device and keeps the last reason for its page.
pub async fn note_rejections(
    conn: &mut Conn,
    device_id: &str,
    count: i64,
    last_reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE devices SET rejected = rejected + $1, last_rejection = $2, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(count)
    .bind(last_reason)
    .bind(time_text(now))
    .bind(device_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that `ids` were heard from at `at`. One statement per 500 devices: the pipeline
/// touches every device of a batch at once, and a statement per device was a twentieth of its
/// time.
pub async fn touch_devices(conn: &mut Conn, ids: &[&str], at: DateTime<Utc>) -> Result<()> {
    let at = time_text(at);
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new("UPDATE devices SET last_seen_at = ");
        sql.text(at.clone()).push(" WHERE id IN (");
        sql.text_list(chunk);
        sql.push(") AND (last_seen_at IS NULL OR last_seen_at < ")
            .text(at.clone())
            .push(")");
        sql.execute(&mut *conn).await?;
    }
    Ok(())
}

row! {
    /// A bound device of an elder living alone, for the silence rule.
    #[derive(Debug, Clone)]
    pub struct WatchedDevice in "d" {
        pub id: String,
        pub elder_id: String,
        pub bound_at: String,
        pub last_seen_at: Option<String>,
    }
}

/// Bound devices of living elders who live alone that have been quiet since before `quiet_since`.
pub async fn quiet_devices_of_elders_alone(
    conn: &mut Conn,
    _authorized: &Authorized,
    quiet_since: DateTime<Utc>,
) -> Result<Vec<WatchedDevice>> {
    let mut sql = Sql::select::<WatchedDevice>(
        "devices d JOIN elders e ON e.id = d.elder_id \
         WHERE d.status = 'bound' AND e.living_situation = 'alone' AND e.status = 'alive' \
         AND COALESCE(d.last_seen_at, d.bound_at) < ",
    );
    sql.text(time_text(quiet_since));
    Ok(sql.query_as().fetch_all(conn).await?)
}

// ---------------------------------------------------------------------------------------------
// Readings

/// A stored reading; its kind and values are decoded by `monitoring` (`Values::from_columns`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadingRow {
    pub device_id: String,
    pub seq: i64,
    pub elder_id: String,
    pub measured_at: String,
    pub received_at: String,
    pub values: Values,
}

row! {
    /// A reading's columns as they are stored.
    struct StoredReading in "r" {
        device_id: String,
        seq: i64,
        elder_id: String,
        #[sqlx(try_from = "String")]
        kind: ReadingKind,
        measured_at: String,
        received_at: String,
        value1: Option<f64>,
        value2: Option<f64>,
        value3: Option<f64>,
        context: Option<String>,
        detail: Option<String>,
    }
}

impl TryFrom<StoredReading> for ReadingRow {
    type Error = StoreError;

    fn try_from(r: StoredReading) -> Result<ReadingRow> {
        let columns = Columns {
            value1: r.value1,
            value2: r.value2,
            value3: r.value3,
            context: r.context,
            detail: r.detail,
        };
        let values = Values::from_columns(r.kind, &columns)
            .map_err(|e| StoreError::Corrupt(format!("reading {} #{}: {e}", r.device_id, r.seq)))?;
        Ok(ReadingRow {
            device_id: r.device_id,
            seq: r.seq,
            elder_id: r.elder_id,
            measured_at: r.measured_at,
            received_at: r.received_at,
            values,
        })
    }
}

const READING_PARAMS: usize = 11;
/// Rows per INSERT statement: 11 parameters each stays below SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters.
pub const READINGS_PER_STATEMENT: usize = 2_000;

/// The multi-row insert of `rows`, skipping stored `(device_id, seq)` pairs and returning the
/// pairs it stored.
///
/// On SQLite the parameters are anonymous `?`s, bound by position: SQLite treats `$n` as a
/// *named* parameter and finds each name by a linear search of the statement's list of names,
/// when preparing and again when binding, so a statement of 22,000 `$n`s spent nearly all its
/// time there (about 4,000 rows/s instead of 130,000 with `?`; `yiyang bench ingest`).
fn insert_readings_sql(rows: &[ReadingRow], sqlite: bool) -> String {
    let mut text = String::with_capacity(80 + rows.len() * 64);
    text.push_str("INSERT INTO readings (");
    text.push_str(StoredReading::FIELDS);
    text.push_str(") VALUES ");
    for i in 0..rows.len() {
        if i > 0 {
            text.push(',');
        }
        text.push('(');
        for j in 0..READING_PARAMS {
            if j > 0 {
                text.push(',');
            }
            if sqlite {
                text.push('?');
            } else {
                text.push('$');
                text.push_str(&(i * READING_PARAMS + j + 1).to_string());
            }
        }
        text.push(')');
    }
    text.push_str(" ON CONFLICT (device_id, seq) DO NOTHING RETURNING device_id, seq");
    text
}

/// Stores the readings that are new and returns their `(device_id, seq)` pairs; a pair that is
/// already stored is skipped, so a resend is never doubled.
pub async fn insert_readings(
    conn: &mut Conn,
    _authorized: &Authorized,
    rows: &[ReadingRow],
) -> Result<Vec<(String, i64)>> {
    let mut stored = Vec::with_capacity(rows.len());
    let sqlite = conn.backend_name() == "SQLite";
    for chunk in rows.chunks(READINGS_PER_STATEMENT) {
        let text = insert_readings_sql(chunk, sqlite);
        // On PostgreSQL not a cached prepared statement: the Any driver declares a NULL double
        // as `float4` (sqlx 0.8.6, any/arguments.rs), and PostgreSQL then refuses the `float8`
        // of a later execution of the same statement ("incorrect binary data format").
        // Prepared per execution, each batch declares its own types. SQLite declares no
        // parameter types, so there it is cached as usual: preparing a 2,000-row statement
        // for every batch took a fifth of the time of an HTTP batch (`yiyang bench ingest`).
        let mut query = sqlx::query_as::<_, (String, i64)>(&text).persistent(sqlite);
        for r in chunk {
            let columns = r.values.to_columns();
            query = query
                .bind(&r.device_id)
                .bind(r.seq)
                .bind(&r.elder_id)
                .bind(r.values.kind())
                .bind(&r.measured_at)
                .bind(&r.received_at)
                .bind(columns.value1)
                .bind(columns.value2)
                .bind(columns.value3)
                .bind(columns.context)
                .bind(columns.detail);
        }
        stored.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(stored)
}

/// The stored readings among `keys` (`(device_id, seq)` pairs), to tell a resend (the same
/// content) from a conflict (other content under a used seq).
pub async fn stored_readings(
    conn: &mut Conn,
    _authorized: &Authorized,
    keys: &[(&str, i64)],
) -> Result<Vec<ReadingRow>> {
    let mut by_device: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
    for (device, seq) in keys {
        by_device.entry(device).or_default().push(*seq);
    }
    let mut found = Vec::with_capacity(keys.len());
    for (device, seqs) in by_device {
        for chunk in seqs.chunks(1_000) {
            let mut sql = Sql::select::<StoredReading>("readings r WHERE r.device_id = ");
            sql.text(device).push(" AND r.seq IN (");
            sql.values(chunk.iter().map(|seq| Param::from(*seq)))
                .push(")");
            let rows: Vec<StoredReading> = sql.query_as().fetch_all(&mut *conn).await?;
            for row in rows {
                found.push(ReadingRow::try_from(row)?);
            }
        }
    }
    Ok(found)
}

impl ReadingRow {
    /// Whether `other` says the same as this reading: the same kind, moment and values (the
    /// time it was received may differ: that is what a resend is).
    pub fn same_content(&self, other: &ReadingRow) -> bool {
        self.measured_at == other.measured_at && self.values == other.values
    }

    /// The content in one canonical text, the key of a conflict's own resends.
    fn content_key(&self) -> String {
        let c = self.values.to_columns();
        format!(
            "{}|{}|{:?}|{:?}|{:?}|{}|{}",
            self.values.kind(),
            self.measured_at,
            c.value1,
            c.value2,
            c.value3,
            c.context.as_deref().unwrap_or(""),
            c.detail.as_deref().unwrap_or("")
        )
    }
}

/// Keeps readings that arrived under a `(device, seq)` already stored with other content; one
/// that is already kept (its own resend) is skipped. Returns how many were new per device.
pub async fn insert_reading_conflicts(
    conn: &mut Conn,
    _authorized: &Authorized,
    rows: &[ReadingRow],
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64)>> {
    let mut new_per_device: std::collections::BTreeMap<String, i64> = Default::default();
    for r in rows {
        let columns = r.values.to_columns();
        let stored: Option<(String,)> = sqlx::query_as(
            "INSERT INTO reading_conflicts (device_id, seq, content, elder_id, kind, measured_at, \
             received_at, value1, value2, value3, context, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (device_id, seq, content) DO NOTHING RETURNING device_id",
        )
        .bind(&r.device_id)
        .bind(r.seq)
        .bind(r.content_key())
        .bind(&r.elder_id)
        .bind(r.values.kind())
        .bind(&r.measured_at)
        .bind(&r.received_at)
        .bind(columns.value1)
        .bind(columns.value2)
        .bind(columns.value3)
        .bind(columns.context)
        .bind(columns.detail)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((device,)) = stored {
            *new_per_device.entry(device).or_default() += 1;
        }
    }
    for (device, count) in &new_per_device {
        sqlx::query(
            "UPDATE devices SET conflicts = conflicts + $1, last_conflict_at = $2 WHERE id = $3",
        )
        .bind(count)
        .bind(time_text(now))
        .bind(device)
        .execute(&mut *conn)
        .await?;
    }
    Ok(new_per_device.into_iter().collect())
}

/// An elder's readings in `[from, to)`, oldest first, at most `limit`; the scope applies to
/// the elder.
#[allow(clippy::too_many_arguments)]
pub async fn elder_readings(
    conn: &mut Conn,
    scope: &Authorized,
    elder_id: &str,
    kind: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<ReadingRow>> {
    let mut sql = Sql::scoped::<StoredReading>(
        "readings r JOIN elders e ON e.id = r.elder_id",
        "r.elder_id",
        elder_id,
        scope,
    );
    if let Some(kind) = kind {
        sql.push(" AND r.kind = ").text(kind);
    }
    sql.push(" AND r.measured_at >= ")
        .text(time_text(from))
        .push(" AND r.measured_at < ")
        .text(time_text(to))
        .push(" ORDER BY r.measured_at, r.seq LIMIT ")
        .int(limit);
    sql.query_as::<StoredReading>()
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(ReadingRow::try_from)
        .collect()
}

/// `(elder_id, measured_at, systolic)` of every blood-pressure reading since `since`, for the
/// rising-pressure trend rule.
pub async fn systolic_since(
    conn: &mut Conn,
    _authorized: &Authorized,
    since: DateTime<Utc>,
) -> Result<Vec<(String, String, f64)>> {
    Ok(sqlx::query_as(
        "SELECT elder_id, measured_at, value1 FROM readings \
         WHERE kind = 'blood_pressure' AND measured_at >= $1 AND value1 IS NOT NULL",
    )
    .bind(time_text(since))
    .fetch_all(conn)
    .await?)
}

// ---------------------------------------------------------------------------------------------
// Thresholds

row! {
    #[derive(Debug, Clone)]
    pub struct ThresholdRow in "t" {
        pub elder_id: String,
        pub thresholds: String,
        pub set_by: String,
        pub set_at: String,
    }
}

pub async fn thresholds_of(
    conn: &mut Conn,
    authorized: &Authorized,
    elder_id: &str,
) -> Result<Option<ThresholdRow>> {
    let sql = Sql::scoped::<ThresholdRow>(
        "elder_thresholds t JOIN elders e ON e.id = t.elder_id",
        "t.elder_id",
        elder_id,
        authorized,
    );
    Ok(sql.query_as().fetch_optional(conn).await?)
}

pub async fn set_thresholds(
    conn: &mut Conn,
    _authorized: &Authorized,
    elder_id: &str,
    thresholds_json: &str,
    set_by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    Sql::upsert::<ThresholdRow>(
        "elder_thresholds",
        "elder_id",
        vec![
            elder_id.into(),
            thresholds_json.into(),
            set_by.into(),
            time_text(now).into(),
        ],
    )
    .execute(conn)
    .await?;
    Ok(())
}

row! {
    /// What the ingest pipeline needs to know about an elder: where the record belongs (for the
    /// live board's scope), whether the elder lives alone, and the doctor's thresholds.
    #[derive(Debug, Clone)]
    pub struct ElderWatch in "e" {
        pub id: String,
        pub name: String,
        pub region_code: Option<String>,
        pub responsible_org_id: Option<String>,
        pub residence_org_id: Option<String>,
        pub living_situation: Option<String>,
        pub thresholds: Option<String> = "t.thresholds",
    }
}

pub async fn elders_to_watch(
    conn: &mut Conn,
    _authorized: &Authorized,
    ids: &[&str],
) -> Result<Vec<ElderWatch>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut sql = Sql::select::<ElderWatch>(
            "elders e LEFT JOIN elder_thresholds t ON t.elder_id = e.id WHERE e.id IN (",
        );
        sql.text_list(chunk);
        sql.push(")");
        found.extend(sql.query_as::<ElderWatch>().fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

// ---------------------------------------------------------------------------------------------
// Alerts

row! {
    #[derive(Debug, Clone)]
    pub struct AlertRow in "a" {
        pub id: String,
        pub elder_id: String,
        pub elder_name: String = "e.name",
        pub region_code: Option<String> = "e.region_code",
        pub responsible_org_id: Option<String> = "e.responsible_org_id",
        pub residence_org_id: Option<String> = "e.residence_org_id",
        pub rule: String,
        #[sqlx(try_from = "String")]
        pub severity: Severity,
        #[sqlx(try_from = "String")]
        pub status: AlertStatus,
        pub message_zh: String,
        pub message_en: String,
        pub device_id: Option<String>,
        pub reading_seq: Option<i64>,
        pub occurrences: i64,
        pub opened_at: String,
        pub last_seen_at: String,
        pub escalation_level: i64,
        pub next_escalation_at: Option<String>,
        pub acknowledged_at: Option<String>,
        pub acknowledged_by: Option<String>,
        pub resolved_at: Option<String>,
        pub resolved_by: Option<String>,
        pub resolution_note: Option<String>,
    }
}

/// Alerts with their elder, whose scope every read by a person applies.
const ALERTS: &str = "alerts a JOIN elders e ON e.id = a.elder_id";

row! {
    /// The unresolved alert of an elder for a rule, if any.
    #[derive(Debug, Clone)]
    pub struct OpenAlert {
        pub id: String,
        #[sqlx(try_from = "String")]
        pub severity: Severity,
        #[sqlx(try_from = "String")]
        pub status: AlertStatus,
        pub occurrences: i64,
        pub opened_at: String,
        pub escalation_level: i64,
    }
}

pub fn open_key(elder_id: &str, rule: &str) -> String {
    format!("{elder_id}:{rule}")
}

pub async fn open_alert(
    conn: &mut Conn,
    _authorized: &Authorized,
    elder_id: &str,
    rule: &str,
) -> Result<Option<OpenAlert>> {
    Sql::find(conn, "alerts", "open_key", &open_key(elder_id, rule)).await
}

pub struct NewAlert<'a> {
    pub elder_id: &'a str,
    pub rule: &'a str,
    pub severity: Severity,
    pub message_zh: &'a str,
    pub message_en: &'a str,
    pub device_id: Option<&'a str>,
    pub reading_seq: Option<i64>,
    pub at: DateTime<Utc>,
    pub next_escalation_at: Option<DateTime<Utc>>,
}

/// Opens an alert; `Conflict` if one is already open for the elder and rule.
pub async fn insert_alert(
    conn: &mut Conn,
    _authorized: &Authorized,
    alert: &NewAlert<'_>,
) -> Result<String> {
    let id = new_id();
    let at = time_text(alert.at);
    sqlx::query(
        "INSERT INTO alerts (id, elder_id, rule, severity, status, open_key, message_zh, \
         message_en, device_id, reading_seq, occurrences, opened_at, last_seen_at, \
         escalation_level, next_escalation_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, 1, $10, $10, 0, $11, $10)",
    )
    .bind(&id)
    .bind(alert.elder_id)
    .bind(alert.rule)
    .bind(alert.severity.code())
    .bind(open_key(alert.elder_id, alert.rule))
    .bind(alert.message_zh)
    .bind(alert.message_en)
    .bind(alert.device_id)
    .bind(alert.reading_seq)
    .bind(&at)
    .bind(alert.next_escalation_at.map(time_text))
    .execute(conn)
    .await?;
    Ok(id)
}

/// Counts one more occurrence on an open alert, with its latest message and (never lower)
/// severity, and the escalation time that severity implies.
#[allow(clippy::too_many_arguments)]
pub async fn repeat_alert(
    conn: &mut Conn,
    _authorized: &Authorized,
    id: &str,
    severity: &str,
    message: (&str, &str),
    device: (Option<&str>, Option<i64>),
    at: DateTime<Utc>,
    next_escalation_at: Option<DateTime<Utc>>,
    reset_escalation: bool,
) -> Result<()> {
    let mut sql = Sql::new("UPDATE alerts SET occurrences = occurrences + 1, severity = ");
    sql.text(severity)
        .push(", message_zh = ")
        .text(message.0)
        .push(", message_en = ")
        .text(message.1)
        .push(", device_id = ")
        .opt_text(device.0.map(str::to_string))
        .push(", reading_seq = ")
        .opt_int(device.1)
        .push(", last_seen_at = ")
        .text(time_text(at))
        .push(", updated_at = ")
        .text(time_text(at));
    if reset_escalation {
        sql.push(", next_escalation_at = ")
            .opt_text(next_escalation_at.map(time_text));
    }
    sql.push(" WHERE id = ").text(id);
    sql.execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub status: Option<String>,
    /// `open` and `acknowledged` together.
    pub unresolved: bool,
    pub severity: Option<String>,
    pub elder_id: Option<String>,
    /// A region code prefix (significant digits).
    pub region_prefix: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn alert_condition(scope: &Authorized, filter: &AlertFilter) -> Sql {
    let mut sql = Sql::new(&format!(" FROM {ALERTS} WHERE "));
    sql.elder_scope(scope);
    if let Some(status) = &filter.status {
        sql.push(" AND a.status = ").text(status.clone());
    }
    if filter.unresolved {
        sql.push(" AND a.status IN ('open', 'acknowledged')");
    }
    if let Some(severity) = &filter.severity {
        sql.push(" AND a.severity = ").text(severity.clone());
    }
    if let Some(elder) = &filter.elder_id {
        sql.push(" AND a.elder_id = ").text(elder.clone());
    }
    if let Some(prefix) = &filter.region_prefix {
        sql.push(" AND ");
        sql.prefix_range("e.region_code", prefix);
    }
    sql
}

/// Alerts in `scope`, the most severe and newest first.
pub async fn list_alerts(
    conn: &mut Conn,
    scope: &Authorized,
    filter: &AlertFilter,
) -> Result<(Vec<AlertRow>, i64)> {
    let condition = alert_condition(scope, filter);
    condition
        .page(
            conn,
            "CASE a.status WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, \
             CASE a.severity WHEN 'critical' THEN 0 WHEN 'urgent' THEN 1 WHEN 'warning' THEN 2 \
             ELSE 3 END, a.last_seen_at DESC, a.id",
            filter.offset,
            filter.limit,
        )
        .await
}

/// `(status, severity, count)` of the alerts in `scope`.
pub async fn alert_counts(
    conn: &mut Conn,
    scope: &Authorized,
) -> Result<Vec<(String, String, i64)>> {
    let mut sql = Sql::new(&format!(
        "SELECT a.status, a.severity, COUNT(*) FROM {ALERTS} WHERE "
    ));
    sql.elder_scope(scope);
    sql.push(" GROUP BY a.status, a.severity");
    Ok(sql.query_as().fetch_all(conn).await?)
}

pub async fn get_alert(conn: &mut Conn, scope: &Authorized, id: &str) -> Result<Option<AlertRow>> {
    let sql = Sql::scoped::<AlertRow>(ALERTS, "a.id", id, scope);
    Ok(sql.query_as().fetch_optional(conn).await?)
}

/// Marks an open alert acknowledged and stops its escalation; false if it was not open.
pub async fn acknowledge_alert(
    conn: &mut Conn,
    _authorized: &Authorized,
    id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE alerts SET status = 'acknowledged', acknowledged_at = $1, acknowledged_by = $2, \
         next_escalation_at = NULL, updated_at = $1 WHERE id = $3 AND status = 'open'",
    )
    .bind(time_text(now))
    .bind(by)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Resolves an unresolved alert with a note; the next finding of its rule opens a new one.
pub async fn resolve_alert(
    conn: &mut Conn,
    _authorized: &Authorized,
    id: &str,
    by: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE alerts SET status = 'resolved', open_key = NULL, resolved_at = $1, \
         resolved_by = $2, resolution_note = $3, next_escalation_at = NULL, updated_at = $1, \
         acknowledged_at = COALESCE(acknowledged_at, $1), \
         acknowledged_by = COALESCE(acknowledged_by, $2) \
         WHERE id = $4 AND status IN ('open', 'acknowledged')",
    )
    .bind(time_text(now))
    .bind(by)
    .bind(note)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Open alerts whose next escalation step is due at `now`, oldest first.
pub async fn due_escalations(
    conn: &mut Conn,
    _authorized: &Authorized,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<AlertRow>> {
    let mut sql = Sql::select::<AlertRow>(&format!(
        "{ALERTS} WHERE a.next_escalation_at IS NOT NULL AND a.next_escalation_at <= "
    ));
    sql.text(time_text(now))
        .push(" AND a.status = 'open' ORDER BY a.next_escalation_at LIMIT ")
        .int(limit);
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Records the escalation steps taken and when the next one is due; only while still open.
pub async fn set_escalation(
    conn: &mut Conn,
    _authorized: &Authorized,
    id: &str,
    level: i64,
    next_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE alerts SET escalation_level = $1, next_escalation_at = $2, updated_at = $3 \
         WHERE id = $4 AND status = 'open'",
    )
    .bind(level)
    .bind(next_at.map(time_text))
    .bind(time_text(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

row! {
    #[derive(Debug, Clone)]
    pub struct AlertEventRow {
        pub id: String,
        pub alert_id: String,
        pub at: String,
        pub kind: String,
        pub actor: Option<String>,
        pub detail: Option<String>,
    }
}

pub async fn insert_alert_event(
    conn: &mut Conn,
    _authorized: &Authorized,
    alert_id: &str,
    kind: &str,
    actor: Option<&str>,
    detail: Option<&str>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO alert_events ({}) VALUES ($1, $2, $3, $4, $5, $6)",
        AlertEventRow::FIELDS
    ))
    .bind(new_id())
    .bind(alert_id)
    .bind(time_text(at))
    .bind(kind)
    .bind(actor)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn alert_events(
    conn: &mut Conn,
    _authorized: &Authorized,
    alert_id: &str,
) -> Result<Vec<AlertEventRow>> {
    let mut sql = Sql::select::<AlertEventRow>("alert_events WHERE alert_id = ");
    sql.text(alert_id).push(" ORDER BY at, id");
    Ok(sql.query_as().fetch_all(conn).await?)
}

// ---------------------------------------------------------------------------------------------
// Notifications and dispatch

row! {
    #[derive(Debug, Clone)]
    pub struct OutboxRow {
        pub id: String,
        pub alert_id: Option<String>,
        #[sqlx(try_from = "String")]
        pub channel: NotifyChannel,
        pub recipient: String,
        pub recipient_name: Option<String>,
        pub body: String,
        pub created_at: String,
        pub sent_at: Option<String>,
        pub attempts: i64,
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_outbox(
    conn: &mut Conn,
    _authorized: &Authorized,
    alert_id: &str,
    channel: &str,
    recipient: &str,
    recipient_name: Option<&str>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO notification_outbox (id, alert_id, channel, recipient, recipient_name, \
         body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(alert_id)
    .bind(channel)
    .bind(recipient)
    .bind(recipient_name)
    .bind(body)
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(id)
}

/// Messages not yet sent, oldest first; `channel` narrows to one gateway.
pub async fn pending_outbox(
    conn: &mut Conn,
    _authorized: &Authorized,
    channel: Option<&str>,
    limit: i64,
) -> Result<Vec<OutboxRow>> {
    let mut sql = Sql::select::<OutboxRow>("notification_outbox WHERE sent_at IS NULL");
    if let Some(channel) = channel {
        sql.push(" AND channel = ").text(channel);
    }
    sql.push(" ORDER BY created_at, id LIMIT ").int(limit);
    Ok(sql.query_as().fetch_all(conn).await?)
}

pub async fn outbox_of_alert(
    conn: &mut Conn,
    _authorized: &Authorized,
    alert_id: &str,
) -> Result<Vec<OutboxRow>> {
    let mut sql = Sql::select::<OutboxRow>("notification_outbox WHERE alert_id = ");
    sql.text(alert_id).push(" ORDER BY created_at, id");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// A gateway reports a message sent; false if it was unknown or already sent.
pub async fn mark_outbox_sent(conn: &mut Conn, id: &str, now: DateTime<Utc>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE notification_outbox SET sent_at = $1, attempts = attempts + 1 \
         WHERE id = $2 AND sent_at IS NULL",
    )
    .bind(time_text(now))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

row! {
    #[derive(Debug, Clone)]
    pub struct DispatchRow {
        pub id: String,
        pub alert_id: String,
        pub elder_id: String,
        pub address: Option<String>,
        pub phone: Option<String>,
        pub reason: String,
        #[sqlx(try_from = "String")]
        pub status: DispatchStatus,
        pub created_at: String,
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_dispatch(
    conn: &mut Conn,
    _authorized: &Authorized,
    alert_id: &str,
    elder_id: &str,
    address: Option<&str>,
    phone: Option<&str>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    sqlx::query(&format!(
        "INSERT INTO emergency_dispatches ({}) VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7)",
        DispatchRow::FIELDS
    ))
    .bind(&id)
    .bind(alert_id)
    .bind(elder_id)
    .bind(address)
    .bind(phone)
    .bind(reason)
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn dispatches_of_alert(
    conn: &mut Conn,
    _authorized: &Authorized,
    alert_id: &str,
) -> Result<Vec<DispatchRow>> {
    let mut sql = Sql::select::<DispatchRow>("emergency_dispatches WHERE alert_id = ");
    sql.text(alert_id).push(" ORDER BY created_at");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// `(display_name, phone)` of the doctors and nurses of an organization who have a phone:
/// the family-doctor team an escalation notifies.
pub async fn team_phones(
    conn: &mut Conn,
    _authorized: &Authorized,
    org_id: &str,
) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT display_name, phone FROM users WHERE org_id = $1 AND active = 1 \
         AND role IN ('doctor', 'nurse') AND phone IS NOT NULL AND phone <> '' \
         ORDER BY role, username",
    )
    .bind(org_id)
    .fetch_all(conn)
    .await?)
}

/// `(address, phone, contacts JSON)` of an elder, for the family and dispatch steps.
pub async fn elder_contact(
    conn: &mut Conn,
    authorized: &Authorized,
    elder_id: &str,
) -> Result<Option<(Option<String>, Option<String>, String)>> {
    let mut sql = Sql::new("SELECT e.address, e.phone, e.contacts FROM elders e WHERE e.id = ");
    sql.text(elder_id).push(" AND ").elder_scope(authorized);
    Ok(sql.query_as().fetch_optional(conn).await?)
}

/// The largest `seq` stored of each device whose id starts with `prefix` (the device
/// simulator continues above them).
pub async fn last_seqs(conn: &mut Conn, prefix: &str) -> Result<Vec<(String, i64)>> {
    let mut sql = Sql::new("SELECT device_id, MAX(seq) FROM readings WHERE ");
    sql.text_prefix("device_id", prefix)
        .push(" GROUP BY device_id");
    Ok(sql.query_as().fetch_all(conn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_multi_row_insert_numbers_its_parameters_in_order() {
        let row = ReadingRow {
            device_id: "d".into(),
            seq: 1,
            elder_id: "e".into(),
            measured_at: String::new(),
            received_at: String::new(),
            values: Values::Sos,
        };
        let text = insert_readings_sql(&[row.clone(), row.clone()], false);
        assert!(text.contains("($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11),($12,"));
        assert!(
            text.ends_with("$22) ON CONFLICT (device_id, seq) DO NOTHING RETURNING device_id, seq")
        );
        let text = insert_readings_sql(&[row.clone(), row], true);
        assert!(text.contains("VALUES (?,?,?,?,?,?,?,?,?,?,?),(?,"));
        assert!(!text.contains('$'));
    }
}
