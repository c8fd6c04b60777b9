//! An elder's stored device readings, for the chart and the API: by kind and time range, oldest
//! first, each read audited.

use crate::auth::Actor;
use crate::{App, AppError, Result};
use access::{Action, AuditAction};
use chrono::{DateTime, Utc};
use registry::{field, FieldError, Problem};
use store::monitoring::ReadingRow;

/// At most this many readings in one answer (a month of a smartwatch's heart rate at one
/// reading every five minutes is ~8,600).
pub const MAX_READINGS: i64 = 10_000;
pub const DEFAULT_READINGS: i64 = 2_000;

impl App {
    /// The elder's readings measured in `[from, to)`, optionally of one `kind`
    /// (`monitoring::reading::KINDS`), oldest first, at most `limit`.
    pub async fn elder_readings(
        &self,
        actor: &Actor,
        elder_id: &str,
        kind: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ReadingRow>> {
        let authorized = actor.reads_for(self, Action::ReadMonitoring).await?;
        let mut errors = Vec::new();
        let kind = field::one_of(&mut errors, "kind", kind, monitoring::reading::KINDS);
        if from >= to {
            errors.push(FieldError::new(
                "from",
                Problem::Invalid {
                    zh: "须早于结束时间".into(),
                    en: "must be before to".into(),
                },
            ));
        }
        field::in_range(&mut errors, "limit", limit, 1..=MAX_READINGS);
        AppError::invalid_if_any(errors)?;
        let (mut conn, _) = self
            .elder_to_read(&authorized, actor, elder_id, "readings_read")
            .await?;
        let rows = store::monitoring::elder_readings(
            &mut conn,
            &authorized,
            elder_id,
            kind,
            from,
            to,
            limit,
        )
        .await?;
        self.audit_elder_read(
            conn,
            actor,
            AuditAction::ReadingsRead,
            elder_id,
            Some(format!(
                "{} {} readings {}..{}",
                rows.len(),
                kind.unwrap_or("all"),
                store::time_text(from),
                store::time_text(to)
            )),
        )
        .await?;
        Ok(rows)
    }
}
