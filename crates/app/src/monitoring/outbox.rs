//! The SMS/WeChat gateway's side of the notification outbox: it reads the messages not yet sent
//! (with the full phone number: it has to send them) and reports each one sent.

use crate::auth::Actor;
use crate::{audit_log, App, AppError, Result};
use access::{Action, AuditAction};
use registry::{FieldError, Problem};
use store::monitoring::OutboxRow;
use store::StoreError;

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
        let channel = channel.map(str::trim).filter(|c| !c.is_empty());
        if channel.is_some_and(|c| !GATEWAY_CHANNELS.contains(&c)) {
            errors.push(FieldError::new(
                "channel",
                Problem::OneOf {
                    allowed: GATEWAY_CHANNELS.to_vec(),
                },
            ));
        }
        if !(1..=MAX_OUTBOX).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                Problem::OutOfRange {
                    min: 1,
                    max: MAX_OUTBOX,
                },
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut conn = self.store.acquire().await?;
        let rows =
            store::monitoring::pending_outbox(&mut conn, &authorized, channel, limit).await?;
        audit_log::append(
            &mut conn,
            audit_log::entry(
                actor,
                AuditAction::OutboxRead,
                None,
                Some(format!(
                    "{} {} messages",
                    rows.len(),
                    channel.unwrap_or("all")
                )),
            ),
        )
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
        audit_log::append(
            &mut tx,
            audit_log::entry(actor, AuditAction::OutboxSent, None, Some(id.to_string())),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
