//! The device registry: a device is registered bound to an elder and gets an HTTP credential
//! (shown once, stored as a SHA-256 hash); binding and unbinding are audited; an unbound
//! device's readings are refused.

use crate::audit_log::Audit;
use crate::auth::{random_token, Actor};
use crate::{App, AppError, Page, Result};
use access::{Action, AuditAction};
use monitoring::{DeviceKind, DeviceStatus};
use registry::{FieldError, Problem};
use sha2::{Digest, Sha256};
use store::monitoring::DeviceRow;
use store::{StoreError, Tx};

/// A device as a person sees it.
#[derive(Debug, Clone)]
pub struct DeviceView {
    pub id: String,
    pub kind: DeviceKind,
    pub elder_id: Option<String>,
    pub elder_name: Option<String>,
    pub bound: bool,
    pub bound_at: Option<String>,
    pub unbound_at: Option<String>,
    pub last_seen_at: Option<String>,
    pub rejected: i64,
    pub last_rejection: Option<String>,
    pub created_at: String,
    /// Readings sent under a seq already used with other content (a clock or firmware fault, or
    /// someone else sending as the device).
    pub conflicts: i64,
    pub last_conflict_at: Option<String>,
}

impl DeviceView {
    fn from_row(row: DeviceRow) -> DeviceView {
        DeviceView {
            kind: row.kind,
            bound: row.status == DeviceStatus::Bound,
            id: row.id,
            elder_id: row.elder_id,
            elder_name: row.elder_name,
            bound_at: row.bound_at,
            unbound_at: row.unbound_at,
            last_seen_at: row.last_seen_at,
            rejected: row.rejected,
            conflicts: row.conflicts,
            last_conflict_at: row.last_conflict_at,
            last_rejection: row.last_rejection,
            created_at: row.created_at,
        }
    }
}

/// A device just registered or bound, with the credential it must present over HTTP. The
/// credential is not stored and cannot be shown again.
#[derive(Debug, Clone)]
pub struct RegisteredDevice {
    pub device: DeviceView,
    pub credential: String,
}

/// A new device credential: `yyd_` and 64 hex digits.
pub fn new_credential() -> String {
    format!("yyd_{}", random_token())
}

pub fn credential_hash(credential: &str) -> String {
    hex::encode(Sha256::digest(credential.trim().as_bytes()))
}

fn device_id_error(error: monitoring::device::DeviceIdError) -> FieldError {
    use monitoring::device::DeviceIdError::*;
    let problem = match error {
        Empty => Problem::Required,
        TooLong { max } => Problem::TooLong { max },
        Characters => Problem::Invalid {
            zh: "只能包含字母、数字和 - _ . :".into(),
            en: "may contain only letters, digits and - _ . :".into(),
        },
    };
    FieldError::new("device_id", problem)
}

/// Ids the platform's own broker clients use (`yiyang-ingest`, `yiyang-control`…): a device may
/// not take one, or its broker account would be pinned to the ingest client id.
fn is_reserved(device_id: &str) -> bool {
    device_id.to_ascii_lowercase().starts_with("yiyang")
}

fn unavailable_device_id() -> AppError {
    AppError::field(
        "device_id",
        Problem::Invalid {
            zh: "该设备编号无法登记；如设备确属本机构，请联系区县管理员核实".into(),
            en: "this device id cannot be registered; if the device is yours, ask the county administrator to check it".into(),
        },
    )
}

impl App {
    /// Registers `device_id` of `kind` bound to `elder_id` and returns its credential.
    pub async fn register_device(
        &self,
        actor: &Actor,
        device_id: &str,
        kind: &str,
        elder_id: &str,
    ) -> Result<RegisteredDevice> {
        let authorized = actor.writes_for(self, Action::ManageDevices).await?;
        let mut errors = Vec::new();
        let id = monitoring::parse_device_id(device_id)
            .map_err(|e| errors.push(device_id_error(e)))
            .ok();
        let kind = DeviceKind::parse(kind).or_else(|| {
            errors.push(FieldError::new(
                "kind",
                Problem::OneOf {
                    allowed: DeviceKind::CODES.to_vec(),
                },
            ));
            None
        });
        if elder_id.trim().is_empty() {
            errors.push(FieldError::new("elder_id", Problem::Required));
        }
        let (Some(id), Some(kind), true) = (id, kind, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let elder_id = elder_id.trim();
        let now = self.now();
        let credential = new_credential();
        let tx = self.store.begin().await?;
        let (mut tx, elder) = self
            .elder_in_scope(tx, &authorized, actor, elder_id, "device_register")
            .await
            .map_err(unknown_if_not_found)?;
        if let Some(existing) = store::monitoring::get_device(&mut tx, &authorized, &id).await? {
            return Err(AppError::field(
                "device_id",
                Problem::Invalid {
                    zh: format!(
                        "设备 {id} 已登记（{}）；如需换绑，请先解绑",
                        existing.elder_name.as_deref().unwrap_or("未绑定")
                    ),
                    en: format!("device {id} is already registered; unbind it to bind it anew"),
                },
            ));
        }
        // Taken by a device out of the caller's reach, or reserved for the platform's own broker
        // clients: one answer for both, so that it proves nothing about anyone's devices.
        if is_reserved(&id) || store::monitoring::device_exists(&mut tx, &id).await? {
            return Err(unavailable_device_id());
        }
        let organization_id = elder
            .responsible_org_id
            .clone()
            .or_else(|| actor.org_id().map(str::to_string));
        store::monitoring::insert_device(
            &mut tx,
            &authorized,
            &store::monitoring::NewDevice {
                id: &id,
                kind: kind.code(),
                elder_id,
                organization_id: organization_id.as_deref(),
                credential_hash: &credential_hash(&credential),
            },
            now,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => unavailable_device_id(),
            other => other.into(),
        })?;
        let audit = Audit::new(actor, AuditAction::DeviceRegister)
            .elder(elder_id)
            .detail(format!("{id} ({})", kind.code()));
        self.registered(tx, actor, &id, credential, audit).await
    }

    /// Binds an unbound device to `elder_id` with a fresh credential.
    pub async fn bind_device(
        &self,
        actor: &Actor,
        device_id: &str,
        elder_id: &str,
    ) -> Result<RegisteredDevice> {
        let authorized = actor.writes_for(self, Action::ManageDevices).await?;
        let elder_id = elder_id.trim();
        if elder_id.is_empty() {
            return Err(AppError::field("elder_id", Problem::Required));
        }
        let now = self.now();
        let credential = new_credential();
        let mut tx = self.store.begin().await?;
        // Only a device in the caller's reach: bound to an elder they see, or a spare device of
        // their organization. Another organization's device is not found.
        let found = store::monitoring::get_device(&mut tx, &authorized, device_id).await?;
        let (tx, device) = self
            .found_or_denied(tx, found, actor, "device_bind", None)
            .await?;
        if device.status == DeviceStatus::Bound {
            return Err(AppError::field(
                "device_id",
                Problem::Invalid {
                    zh: "设备已绑定给一位老人，请先解绑".into(),
                    en: "the device is bound to an elder; unbind it first".into(),
                },
            ));
        }
        let (mut tx, elder) = self
            .elder_in_scope(tx, &authorized, actor, elder_id, "device_bind")
            .await
            .map_err(unknown_if_not_found)?;
        let organization_id = elder
            .responsible_org_id
            .clone()
            .or(device.organization_id.clone());
        store::monitoring::bind_device(
            &mut tx,
            &authorized,
            device_id,
            elder_id,
            organization_id.as_deref(),
            &credential_hash(&credential),
            now,
        )
        .await?;
        let audit = Audit::new(actor, AuditAction::DeviceBind)
            .elder(elder_id)
            .detail(device_id);
        self.registered(tx, actor, device_id, credential, audit)
            .await
    }

    /// Ends a registration or a binding: reads the device back as the caller now sees it,
    /// commits with the audit row and hands out the credential.
    async fn registered(
        &self,
        mut tx: Tx,
        actor: &Actor,
        device_id: &str,
        credential: String,
        audit: Audit,
    ) -> Result<RegisteredDevice> {
        let row = store::monitoring::get_device(&mut tx, &actor.writes(self.now()), device_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // The broker account first: if the broker cannot take it, nothing is committed and the
        // user is told; a device reported ready can always publish.
        self.provision_device_account(device_id, &credential)
            .await?;
        audit.commit(tx).await?;
        Ok(RegisteredDevice {
            device: DeviceView::from_row(row),
            credential,
        })
    }

    /// Unbinds a device from its elder; its readings are refused from now on.
    pub async fn unbind_device(&self, actor: &Actor, device_id: &str) -> Result<()> {
        let authorized = actor.writes_for(self, Action::ManageDevices).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let found = store::monitoring::get_device(&mut tx, &authorized, device_id).await?;
        let (mut tx, row) = self
            .found_or_denied(tx, found, actor, "device_unbind", None)
            .await?;
        let Some(elder_id) = row
            .elder_id
            .clone()
            .filter(|_| row.status == DeviceStatus::Bound)
        else {
            return Err(AppError::field(
                "device_id",
                Problem::Invalid {
                    zh: "设备未绑定".into(),
                    en: "the device is not bound".into(),
                },
            ));
        };
        store::monitoring::unbind_device(
            &mut tx,
            &authorized,
            device_id,
            &credential_hash(&new_credential()),
            now,
        )
        .await?;
        Audit::new(actor, AuditAction::DeviceUnbind)
            .elder(&elder_id)
            .detail(device_id)
            .commit(tx)
            .await?;
        self.revoke_device_account(device_id).await;
        Ok(())
    }

    pub async fn get_device(&self, actor: &Actor, device_id: &str) -> Result<DeviceView> {
        let authorized = actor.reads_for(self, Action::ReadMonitoring).await?;
        let mut conn = self.store.acquire().await?;
        let found = store::monitoring::get_device(&mut conn, &authorized, device_id).await?;
        let (mut conn, row) = self
            .found_or_denied(conn, found, actor, "device_read", None)
            .await?;
        Audit::new(actor, AuditAction::DeviceRead)
            .elder_if_any(row.elder_id.as_deref())
            .detail(device_id)
            .append(&mut conn)
            .await?;
        Ok(DeviceView::from_row(row))
    }

    /// Devices in the caller's scope, optionally of one elder.
    pub async fn list_devices(
        &self,
        actor: &Actor,
        elder_id: Option<&str>,
        page: Page,
    ) -> Result<(Vec<DeviceView>, i64)> {
        let authorized = actor.reads_for(self, Action::ReadMonitoring).await?;
        let mut conn = self.store.acquire().await?;
        let (rows, total) = store::monitoring::list_devices(
            &mut conn,
            &authorized,
            elder_id,
            page.per_page,
            page.offset(),
        )
        .await?;
        Audit::new(actor, AuditAction::DeviceRead)
            .elder_if_any(elder_id)
            .detail(format!("{} devices", rows.len()))
            .append(&mut conn)
            .await?;
        Ok((rows.into_iter().map(DeviceView::from_row).collect(), total))
    }

    /// The bound device holding `credential` (HTTP ingest), or `Unauthenticated`.
    pub async fn authenticate_device(
        &self,
        credential: &str,
    ) -> Result<store::monitoring::IngestDevice> {
        let authorized = crate::auth::system_access(self.now());
        let mut conn = self.store.acquire().await?;
        store::monitoring::device_by_credential(
            &mut conn,
            &authorized,
            &credential_hash(credential),
        )
        .await?
        .ok_or(AppError::Unauthenticated)
    }
}

/// A device names its elder in a field, so an elder out of scope is that field's problem.
fn unknown_if_not_found(error: AppError) -> AppError {
    match error {
        AppError::NotFound => unknown_elder(),
        other => other,
    }
}

fn unknown_elder() -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "elder_id",
        Problem::Invalid {
            zh: "没有这位老人，或不在您的管辖范围内".into(),
            en: "no such elder in your scope".into(),
        },
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_long_random_and_hashed() {
        let a = new_credential();
        let b = new_credential();
        assert_ne!(a, b);
        assert!(a.starts_with("yyd_") && a.len() == 68);
        assert_eq!(credential_hash(&a), credential_hash(&format!(" {a} ")));
        assert_ne!(credential_hash(&a), credential_hash(&b));
        assert_eq!(credential_hash(&a).len(), 64);
    }
}
