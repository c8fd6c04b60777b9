//! Writing and reading the audit log.

use crate::{Actor, App, AppError, Page, Result};
use access::{Action, AuditAction, AuditOutcome};
use std::ops::DerefMut;
use store::audit::AuditEntry;
pub use store::audit::{AuditFilter, AuditRow};
use store::elders::ElderRow;
use store::{Authorized, Conn, StoreError, Tx};

pub async fn append(conn: &mut Conn, entry: AuditEntry) -> Result<()> {
    store::audit::append(conn, &entry, chrono::Utc::now()).await?;
    Ok(())
}

/// Appends `entry` in the write's transaction and commits both: every write is one transaction
/// that also holds its audit row, so neither lands without the other.
pub async fn commit(mut tx: Tx, entry: AuditEntry) -> Result<()> {
    append(&mut tx, entry).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// The audit row of one use case, named step by step:
/// `Audit::new(actor, action).elder(id).detail(text)`, then `append` on the connection of a
/// read, or `commit` with the transaction of a write.
pub struct Audit(AuditEntry);

impl Audit {
    pub fn new(actor: &Actor, action: AuditAction) -> Audit {
        Audit(AuditEntry {
            user_id: Some(actor.user_id.clone()),
            username: Some(actor.username.clone()),
            role: Some(actor.role.code().to_string()),
            action: action.code().to_string(),
            ip: actor.ip.clone(),
            outcome: AuditOutcome::Ok.code().into(),
            ..AuditEntry::default()
        })
    }

    /// What the use case acted on: a `kind` (`elder`, `user`, …) and its id.
    pub fn target(mut self, kind: &str, id: &str) -> Audit {
        self.0.target_kind = Some(kind.to_string());
        self.0.target_id = Some(id.to_string());
        self
    }

    pub fn elder(self, elder_id: &str) -> Audit {
        self.target("elder", elder_id)
    }

    /// The elder, when the use case concerns one (a list filtered by elder, a device that may
    /// be unbound).
    pub fn elder_if_any(self, elder_id: Option<&str>) -> Audit {
        match elder_id {
            Some(id) => self.elder(id),
            None => self,
        }
    }

    /// The record grant the use case created, revoked or relied on.
    pub fn grant(mut self, grant_id: &str) -> Audit {
        self.0.grant_id = Some(grant_id.to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Audit {
        self.0.detail = Some(detail.into());
        self
    }

    pub async fn append(self, conn: &mut Conn) -> Result<()> {
        append(conn, self.0).await
    }

    /// Appends the row in the write's transaction and commits both (see the free `commit`).
    pub async fn commit(self, tx: Tx) -> Result<()> {
        commit(tx, self.0).await
    }
}

impl App {
    /// Appends the audit row of a read of one elder's records, naming the record grant the read
    /// relied on when the caller's own scope does not reach the elder.
    pub(crate) async fn audit_elder_read(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        action: AuditAction,
        elder_id: &str,
        detail: Option<String>,
    ) -> Result<()> {
        let mut audit = Audit::new(actor, action).elder(elder_id);
        audit.0.detail = detail;
        audit.0.grant_id = self
            .grant_relied_on(conn, actor, elder_id, self.now())
            .await?;
        audit.append(conn).await
    }

    /// Records a refused request (wrong role, or a record outside the scope) and returns the
    /// error to answer with.
    pub async fn denied(
        &self,
        actor: &Actor,
        what: &str,
        target: Option<&str>,
        error: AppError,
    ) -> AppError {
        let mut audit = Audit::new(actor, AuditAction::Denied)
            .elder_if_any(target)
            .detail(what);
        audit.0.outcome = AuditOutcome::Denied.code().into();
        if let Ok(mut conn) = self.store.acquire().await {
            let _ = audit.append(&mut conn).await;
        }
        error
    }

    /// `found`, the record a use case looked up; when it is absent or outside the caller's scope
    /// the connection is released (the refusal is written on another one, and SQLite has one
    /// writer), the refusal is audited as `what` and the answer is not found, the same as for a
    /// record that does not exist.
    pub(crate) async fn found_or_denied<C: Send, T>(
        &self,
        conn: C,
        found: Option<T>,
        actor: &Actor,
        what: &str,
        target: Option<&str>,
    ) -> Result<(C, T)> {
        match found {
            Some(row) => Ok((conn, row)),
            None => {
                drop(conn);
                Err(self.denied(actor, what, target, AppError::NotFound).await)
            }
        }
    }

    /// The elder `elder_id` if `authorized` reaches the record, with the connection given back;
    /// otherwise the refusal, audited as `what` (see [`App::found_or_denied`]).
    pub(crate) async fn elder_in_scope<C: DerefMut<Target = Conn> + Send>(
        &self,
        mut conn: C,
        authorized: &Authorized,
        actor: &Actor,
        elder_id: &str,
        what: &str,
    ) -> Result<(C, ElderRow)> {
        let found = store::elders::get(&mut conn, authorized, elder_id).await?;
        self.found_or_denied(conn, found, actor, what, Some(elder_id))
            .await
    }

    /// [`App::elder_in_scope`] on a connection of its own: how a read of one elder's records
    /// starts.
    pub(crate) async fn elder_to_read(
        &self,
        authorized: &Authorized,
        actor: &Actor,
        elder_id: &str,
        what: &str,
    ) -> Result<(impl DerefMut<Target = Conn> + Send, ElderRow)> {
        let conn = self.store.acquire().await?;
        self.elder_in_scope(conn, authorized, actor, elder_id, what)
            .await
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
        Audit::new(actor, AuditAction::AuditRead)
            .append(&mut conn)
            .await?;
        Ok(found)
    }
}
