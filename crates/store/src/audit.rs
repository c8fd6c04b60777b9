//! The append-only audit log. Identity and phone numbers never appear in it in full: the
//! `detail` text is built by `app` from masked values.

use crate::sql::{row, Row};
use crate::{new_id, time_text, Conn, Result, Sql};

#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    /// The record grant that allowed this read, when the caller's own scope did not.
    pub grant_id: Option<String>,
}

row! {
    #[derive(Debug, Clone)]
    pub struct AuditRow {
        pub id: String,
        pub at: String,
        pub user_id: Option<String>,
        pub username: Option<String>,
        pub role: Option<String>,
        pub action: String,
        pub target_kind: Option<String>,
        pub target_id: Option<String>,
        pub ip: Option<String>,
        #[sqlx(try_from = "String")]
        pub outcome: access::AuditOutcome,
        pub detail: Option<String>,
        /// The record grant that allowed this read, when the caller's own scope did not.
        pub grant_id: Option<String>,
    }
}

/// An entry with the id and time it is stored under, both given when the event happens (not
/// when a writer gets round to it), so that the log keeps the order of events.
#[derive(Debug, Clone)]
pub struct StampedEntry {
    pub id: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub entry: AuditEntry,
}

impl StampedEntry {
    pub fn new(entry: AuditEntry, at: chrono::DateTime<chrono::Utc>) -> StampedEntry {
        StampedEntry {
            id: new_id(),
            at,
            entry,
        }
    }
}

/// Rows per `INSERT`: 12 parameters each stays far below SQLite's 32,766 and PostgreSQL's 65,535.
pub const ROWS_PER_STATEMENT: usize = 500;

pub async fn append(
    conn: &mut Conn,
    entry: &AuditEntry,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    append_in_one_statement(conn, &[StampedEntry::new(entry.clone(), at)]).await
}

/// Appends at most [`ROWS_PER_STATEMENT`] rows with one `INSERT`, which is atomic by itself:
/// outside a transaction it is one.
pub async fn append_in_one_statement(conn: &mut Conn, rows: &[StampedEntry]) -> Result<()> {
    if rows.len() > ROWS_PER_STATEMENT {
        return Err(crate::StoreError::Unsupported(format!(
            "{} audit rows in one statement (at most {ROWS_PER_STATEMENT})",
            rows.len()
        )));
    }
    insert_statement(rows).execute(conn).await?;
    Ok(())
}

fn insert_statement(rows: &[StampedEntry]) -> Sql {
    let mut sql = Sql::new(&format!(
        "INSERT INTO audit_log ({}) VALUES ",
        AuditRow::FIELDS
    ));
    for (i, row) in rows.iter().enumerate() {
        let entry = row.entry.clone();
        sql.push(if i == 0 { "(" } else { ", (" })
            .values([
                row.id.clone().into(),
                time_text(row.at).into(),
                entry.user_id.into(),
                entry.username.into(),
                entry.role.into(),
                entry.action.into(),
                entry.target_kind.into(),
                entry.target_id.into(),
                entry.ip.into(),
                entry.outcome.into(),
                entry.detail.into(),
                entry.grant_id.into(),
            ])
            .push(")");
    }
    sql
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub action: Option<String>,
    pub target_id: Option<String>,
    /// Inclusive lower bound, RFC 3339 UTC text.
    pub from: Option<String>,
    /// Exclusive upper bound.
    pub to: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

pub async fn search(conn: &mut Conn, filter: &AuditFilter) -> Result<(Vec<AuditRow>, i64)> {
    let mut condition = Sql::new(" FROM audit_log WHERE 1 = 1");
    for (column, value) in [
        ("username", &filter.username),
        ("action", &filter.action),
        ("target_id", &filter.target_id),
    ] {
        if let Some(value) = value {
            condition
                .push(" AND ")
                .push(column)
                .push(" = ")
                .text(value.clone());
        }
    }
    if let Some(from) = &filter.from {
        condition.push(" AND at >= ").text(from.clone());
    }
    if let Some(to) = &filter.to {
        condition.push(" AND at < ").text(to.clone());
    }
    condition
        .page(conn, "at DESC, id DESC", filter.offset, filter.limit)
        .await
}
