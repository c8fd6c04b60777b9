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

pub async fn append(
    conn: &mut Conn,
    entry: &AuditEntry,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO audit_log ({}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        AuditRow::FIELDS
    ))
    .bind(new_id())
    .bind(time_text(at))
    .bind(entry.user_id.clone())
    .bind(entry.username.clone())
    .bind(entry.role.clone())
    .bind(entry.action.clone())
    .bind(entry.target_kind.clone())
    .bind(entry.target_id.clone())
    .bind(entry.ip.clone())
    .bind(entry.outcome.clone())
    .bind(entry.detail.clone())
    .bind(entry.grant_id.clone())
    .execute(conn)
    .await?;
    Ok(())
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
