//! Writing and reading the audit log.

use crate::{Actor, App, AppError, Page, Result};
use access::{Action, AuditAction, AuditOutcome};
use std::ops::DerefMut;
use std::sync::atomic::{AtomicU64, Ordering};
use store::audit::{AuditEntry, StampedEntry};
pub use store::audit::{AuditFilter, AuditRow};
use store::elders::ElderRow;
use store::{Authorized, Conn, StoreError, Tx};
use tokio::sync::{mpsc, oneshot};

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

    /// Hands the row of a read to the audit writer and waits until it is committed (see
    /// [`App::record_audit`]).
    pub async fn record(self, app: &App) -> Result<()> {
        app.record_audit(self.0).await
    }

    /// Appends the row in the write's transaction and commits both (see the free `commit`).
    pub async fn commit(self, tx: Tx) -> Result<()> {
        commit(tx, self.0).await
    }
}

impl App {
    /// Appends the audit row of a read of one elder's records, naming the record grant the read
    /// relied on when the caller's own scope does not reach the elder. The read's connection is
    /// given back before the row is written: the last step of a read.
    pub(crate) async fn audit_elder_read<C: DerefMut<Target = Conn>>(
        &self,
        mut conn: C,
        actor: &Actor,
        action: AuditAction,
        elder_id: &str,
        detail: Option<String>,
    ) -> Result<()> {
        let mut audit = Audit::new(actor, action).elder(elder_id);
        audit.0.detail = detail;
        audit.0.grant_id = self
            .grant_relied_on(&mut conn, actor, elder_id, self.now())
            .await?;
        drop(conn);
        audit.record(self).await
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

/// Audit rows waiting for the writer before [`App::record_audit`] waits.
const AUDIT_QUEUE_DEPTH: usize = 8192;
/// Rows the writer commits in one transaction at most.
const AUDIT_GROUP: usize = store::audit::ROWS_PER_STATEMENT;

/// One row waiting for the writer, and the request waiting for its commit.
struct PendingAudit {
    row: StampedEntry,
    committed: oneshot::Sender<std::result::Result<(), String>>,
}

/// The queue of the audit writer: one task that takes every row waiting (up to
/// [`AUDIT_GROUP`]), writes them in one statement and answers each request after the commit. Concurrent reads share one commit
/// (one fsync on PostgreSQL, one write lock on SQLite) instead of one each.
#[derive(Clone)]
pub(crate) struct AuditWriter {
    sender: mpsc::Sender<PendingAudit>,
    committed: std::sync::Arc<AuditCommits>,
}

/// What the audit writer has committed since the start, for benchmarks and metrics.
#[derive(Debug, Default)]
pub struct AuditCommits {
    pub transactions: AtomicU64,
    pub rows: AtomicU64,
}

impl App {
    /// Writes `entry`, stamped now, through the audit writer and returns once it is committed;
    /// an error when it could not be (the read must then not be answered). The writer starts
    /// on first use under the supervisor (`audit_writer`); if it panics, the requests it held
    /// get an error and the next writer takes up the queue.
    pub(crate) async fn record_audit(&self, entry: AuditEntry) -> Result<()> {
        let (committed, answer) = oneshot::channel();
        let pending = PendingAudit {
            row: StampedEntry::new(entry, self.now()),
            committed,
        };
        let unwritten = |why: &str| AppError::Internal(format!("audit log not written: {why}"));
        self.audit_writer()
            .sender
            .send(pending)
            .await
            .map_err(|_| unwritten("the audit writer is not running"))?;
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(unwritten(&error)),
            Err(_) => Err(unwritten("the audit writer stopped")),
        }
    }

    /// Transactions and rows the audit writer has committed (starting it if need be).
    pub fn audit_commits(&self) -> (u64, u64) {
        let committed = &self.audit_writer().committed;
        (
            committed.transactions.load(Ordering::Relaxed),
            committed.rows.load(Ordering::Relaxed),
        )
    }

    fn audit_writer(&self) -> &AuditWriter {
        self.audit_writer.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(AUDIT_QUEUE_DEPTH);
            let receiver = std::sync::Arc::new(tokio::sync::Mutex::new(receiver));
            let committed = std::sync::Arc::new(AuditCommits::default());
            let (app, counts) = (self.clone(), committed.clone());
            self.tasks
                .spawn("audit_writer", crate::tasks::Need::Required, move || {
                    let (app, receiver, counts) = (app.clone(), receiver.clone(), counts.clone());
                    async move {
                        app.audit_write_loop(&mut *receiver.lock().await, &counts)
                            .await
                    }
                });
            AuditWriter { sender, committed }
        })
    }

    async fn audit_write_loop(
        self,
        receiver: &mut mpsc::Receiver<PendingAudit>,
        committed: &AuditCommits,
    ) {
        let mut conn: Option<Conn> = None;
        while let Some(first) = receiver.recv().await {
            // Reads that are already running hand in their rows in a moment: let them, so
            // that one commit serves more of them.
            tokio::task::yield_now().await;
            let mut group = vec![first];
            while group.len() < AUDIT_GROUP {
                match receiver.try_recv() {
                    Ok(pending) => group.push(pending),
                    Err(_) => break,
                }
            }
            let rows: Vec<StampedEntry> = group.iter().map(|p| p.row.clone()).collect();
            let outcome = self.commit_audit_rows(&mut conn, &rows).await;
            match &outcome {
                Ok(()) => {
                    committed.transactions.fetch_add(1, Ordering::Relaxed);
                    committed
                        .rows
                        .fetch_add(rows.len() as u64, Ordering::Relaxed);
                }
                Err(error) => {
                    tracing::error!(%error, rows = rows.len(), "audit: writing a group failed");
                    // A broken connection is not reused; the next group opens another.
                    conn = None;
                }
            }
            let outcome = outcome.map_err(|e| e.to_string());
            for pending in group {
                let _ = pending.committed.send(outcome.clone());
            }
        }
    }

    /// One multi-row `INSERT` outside an explicit transaction: a single statement is a
    /// transaction of its own on both backends (all rows or none, durable once it returns), and
    /// costs one round trip to the database instead of three.
    async fn commit_audit_rows(
        &self,
        conn: &mut Option<Conn>,
        rows: &[StampedEntry],
    ) -> std::result::Result<(), StoreError> {
        let conn = match conn {
            Some(conn) => conn,
            None => conn.insert(self.store.dedicated().await?),
        };
        store::audit::append_in_one_statement(conn, rows).await
    }
}
