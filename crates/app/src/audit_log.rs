//! Writing and reading the audit log.

use crate::{Actor, App, AppError, Page, Result};
use access::{Action, AuditAction};
use store::audit::{AuditEntry, AuditFilter, AuditRow};
use store::Conn;

/// An audit row for `actor` doing `action` to a target.
pub fn entry(
    actor: &Actor,
    action: AuditAction,
    target: Option<(&str, &str)>,
    detail: Option<String>,
) -> AuditEntry {
    AuditEntry {
        user_id: Some(actor.user_id.clone()),
        username: Some(actor.username.clone()),
        role: Some(actor.role.code().to_string()),
        action: action.code().to_string(),
        target_kind: target.map(|t| t.0.to_string()),
        target_id: target.map(|t| t.1.to_string()),
        ip: actor.ip.clone(),
        outcome: "ok".into(),
        detail,
    }
}

pub async fn append(conn: &mut Conn, entry: AuditEntry) -> Result<()> {
    store::audit::append(conn, &entry, chrono::Utc::now()).await?;
    Ok(())
}

impl App {
    /// Records a refused request (wrong role, or a record outside the scope) and returns the
    /// error to answer with.
    pub async fn denied(
        &self,
        actor: &Actor,
        what: &str,
        target: Option<&str>,
        error: AppError,
    ) -> AppError {
        let mut e = entry(
            actor,
            AuditAction::Denied,
            target.map(|t| ("elder", t)),
            Some(what.to_string()),
        );
        e.outcome = "denied".into();
        if let Ok(mut conn) = self.store.acquire().await {
            let _ = append(&mut conn, e).await;
        }
        error
    }

    pub async fn search_audit(
        &self,
        actor: &Actor,
        filter: AuditFilter,
        page: Page,
    ) -> Result<(Vec<AuditRow>, i64)> {
        actor.require(self, Action::ReadAudit).await?;
        let mut conn = self.store.acquire().await?;
        let filter = AuditFilter {
            offset: page.offset(),
            limit: page.per_page,
            ..filter
        };
        let found = store::audit::search(&mut conn, &filter).await?;
        append(&mut conn, entry(actor, AuditAction::AuditRead, None, None)).await?;
        Ok(found)
    }
}
