//! Device accounts on the MQTT broker, as the monitoring use cases see them: a device that is
//! bound may publish its readings with its own credential, and nothing else may. The `mqtt`
//! crate implements this over Mosquitto's dynamic security plugin; `serve` plugs it in.
//!
//! Registering or binding provisions the account *before* the database commit, so a device the
//! user is told is ready can publish; if the broker cannot be reached the registration is refused
//! and nothing is stored. Unbinding revokes the account after the commit; a revocation the broker
//! missed (it was down) is repaired by [`App::reconcile_device_accounts`], which `serve` runs at
//! start and every few minutes: any account yiyang made for a device that is no longer bound is
//! deleted.

use crate::{App, AppError, Result};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type AccountFuture<'a, T> =
    Pin<Box<dyn Future<Output = std::result::Result<T, String>> + Send + 'a>>;

/// What the broker must do for device accounts.
pub trait DeviceAccounts: Send + Sync {
    /// Creates or replaces the account of `device_id` with `credential` as its password.
    fn provision<'a>(&'a self, device_id: &'a str, credential: &'a str) -> AccountFuture<'a, ()>;
    /// Deletes the account of `device_id` (already absent is fine).
    fn revoke<'a>(&'a self, device_id: &'a str) -> AccountFuture<'a, ()>;
    /// The device accounts that exist on the broker.
    fn list(&self) -> AccountFuture<'_, Vec<String>>;
}

pub(crate) type SharedAccounts = Option<Arc<dyn DeviceAccounts>>;

impl App {
    /// Makes registering, binding and unbinding devices manage their broker accounts.
    pub fn with_device_accounts(mut self, accounts: Arc<dyn DeviceAccounts>) -> App {
        self.device_accounts = Some(accounts);
        self
    }

    pub(crate) async fn provision_device_account(
        &self,
        device_id: &str,
        credential: &str,
    ) -> Result<()> {
        let Some(accounts) = &self.device_accounts else {
            return Ok(());
        };
        accounts
            .provision(device_id, credential)
            .await
            .map_err(|why| {
                tracing::error!(device_id, %why, "broker: could not create the device's account");
                AppError::Unavailable {
                    zh: "消息服务器未能开通设备账号，设备未登记；请稍后重试".into(),
                    en: "the message broker could not create the device's account; nothing was stored, try again shortly".into(),
                }
            })
    }

    /// Revokes after an unbind was committed; a failure is repaired by reconciliation.
    pub(crate) async fn revoke_device_account(&self, device_id: &str) {
        if let Some(accounts) = &self.device_accounts {
            if let Err(why) = accounts.revoke(device_id).await {
                tracing::warn!(device_id, %why, "broker: revocation failed; reconciliation retries it");
            }
        }
    }

    /// Deletes the broker accounts of devices that are not bound any more (an unbind whose
    /// revocation the broker missed, a registration whose commit failed after provisioning).
    /// Returns how many were deleted.
    pub async fn reconcile_device_accounts(&self) -> Result<usize> {
        let Some(accounts) = &self.device_accounts else {
            return Ok(0);
        };
        let on_broker = accounts.list().await.map_err(AppError::Internal)?;
        let authorized = crate::auth::system_access(self.now());
        let mut conn = self.store.acquire().await?;
        let ids: Vec<&str> = on_broker.iter().map(String::as_str).collect();
        let bound: std::collections::HashSet<String> =
            store::monitoring::devices_for_ingest(&mut conn, &authorized, &ids)
                .await?
                .into_iter()
                .filter(|d| d.status == monitoring::DeviceStatus::Bound)
                .map(|d| d.id)
                .collect();
        drop(conn);
        let mut deleted = 0;
        for stale in on_broker.iter().filter(|id| !bound.contains(*id)) {
            accounts.revoke(stale).await.map_err(AppError::Internal)?;
            deleted += 1;
        }
        if deleted > 0 {
            tracing::info!(
                deleted,
                "broker: deleted accounts of devices no longer bound"
            );
        }
        Ok(deleted)
    }
}
