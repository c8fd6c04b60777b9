//! The SMS/WeChat gateway's side of the notification outbox: it reads the messages not yet sent
//! (with the full phone number: it has to send them) and reports each one sent.

use crate::audit_log::Audit;
use crate::auth::Actor;
use crate::{App, AppError, Result};
use access::{Action, AuditAction};
use registry::field;
use store::monitoring::OutboxRow;

/// The channels that have outbox rows (the in-app channel is the live board).
pub const GATEWAY_CHANNELS: [&str; 2] = ["sms", "wechat"];
pub const MAX_OUTBOX: i64 = 1_000;
pub const DEFAULT_OUTBOX: i64 = 100;

impl App {
    /// Messages not yet sent, oldest first, optionally of one channel.
    pub async fn pending_outbox(
        &self,
        actor: &Actor,
        channel: Option<&str>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        let authorized = crate::auth::system_access(self.now());
        actor.require(self, Action::ManageOutbox).await?;
        let mut errors = Vec::new();
        let channel = field::one_of(&mut errors, "channel", channel, &GATEWAY_CHANNELS);
        field::in_range(&mut errors, "limit", limit, 1..=MAX_OUTBOX);
        AppError::invalid_if_any(errors)?;
        let mut conn = self.store.acquire().await?;
        let rows =
            store::monitoring::pending_outbox(&mut conn, &authorized, channel, limit).await?;
        Audit::new(actor, AuditAction::OutboxRead)
            .detail(format!(
                "{} {} messages",
                rows.len(),
                channel.unwrap_or("all")
            ))
            .append(&mut conn)
            .await?;
        Ok(rows)
    }

    /// The gateway has sent message `id`; `NotFound` if there is no such unsent message.
    pub async fn mark_outbox_sent(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(self, Action::ManageOutbox).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !store::monitoring::mark_outbox_sent(&mut tx, id, now).await? {
            return Err(AppError::NotFound);
        }
        Audit::new(actor, AuditAction::OutboxSent)
            .detail(id)
            .commit(tx)
            .await?;
        Ok(())
    }
}
