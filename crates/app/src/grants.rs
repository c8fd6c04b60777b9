//! Record grants: letting one organization or one user read one elder's record, for a reason,
//! until a time (a referral's receiving hospital, a consultant). Referral and consultation
//! create theirs through [`App::create_grant`] too, so every grant has the same checks and audit.
//!
//! Who may grant: an administrator, or clinical staff (`Action::GrantRecordAccess`) of the
//! elder's responsible organization. A grant only widens reads: `Actor::reads` follows it,
//! `Actor::writes` never does. Reads that rely on a grant name it in the audit log.

use crate::audit_log::Audit;
use crate::{Actor, App, AppError, Result};
use access::grant::{GrantRequest, Grantee};
use access::{Action, AuditAction, Role, Scope};
use chrono::{DateTime, Utc};
use registry::{FieldError, Problem};
use std::ops::DerefMut;
use store::grants::{GrantRow, GrantTo, NewGrant};
use store::Conn;

/// Whether a grant still lets its grantee read, as of the moment it was listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantStatus {
    Active,
    Expired,
    Revoked,
}

impl GrantStatus {
    pub fn code(self) -> &'static str {
        match self {
            GrantStatus::Active => "active",
            GrantStatus::Expired => "expired",
            GrantStatus::Revoked => "revoked",
        }
    }
}

/// A grant as shown to those who manage the elder's record.
#[derive(Debug, Clone)]
pub struct GrantView {
    pub id: String,
    pub elder_id: String,
    /// `Grantee::Organization` or `Grantee::User` with the grantee's id.
    pub grantee: Grantee,
    /// The organization's name or the user's username, when it still exists.
    pub grantee_name: Option<String>,
    pub reason: String,
    pub starts_at: String,
    pub until: String,
    pub granted_by_name: String,
    pub revoked_at: Option<String>,
    pub status: GrantStatus,
}

impl GrantView {
    fn from_row(row: GrantRow, now: &str) -> GrantView {
        let status = if row.revoked_at.is_some() {
            GrantStatus::Revoked
        } else if row.until_at.as_str() <= now {
            GrantStatus::Expired
        } else {
            GrantStatus::Active
        };
        let (grantee, grantee_name) = match (row.grantee_org_id, row.grantee_user_id) {
            (Some(org), _) => (Grantee::Organization(org), row.grantee_org_name),
            (None, user) => (
                Grantee::User(user.unwrap_or_default()),
                row.grantee_username,
            ),
        };
        GrantView {
            id: row.id,
            elder_id: row.elder_id,
            grantee,
            grantee_name,
            reason: row.reason,
            starts_at: row.starts_at,
            until: row.until_at,
            granted_by_name: row.granted_by_name,
            revoked_at: row.revoked_at,
            status,
        }
    }
}

impl App {
    /// Lets the organization or user `request` names read `elder_id`'s record until its end;
    /// returns the grant's id.
    pub async fn create_grant(
        &self,
        actor: &Actor,
        elder_id: &str,
        request: &GrantRequest,
    ) -> Result<String> {
        let now = self.now();
        actor.require(self, Action::GrantRecordAccess).await?;
        let tx = self.store.begin().await?;
        let mut tx = self
            .check_grant_manager(tx, actor, elder_id, "grant_create")
            .await?;
        let valid = request.validate(now).map_err(AppError::Invalid)?;
        let to = match &valid.grantee {
            Grantee::Organization(org) => {
                if store::orgs::get(&mut tx, org).await?.is_none() {
                    return Err(AppError::field(
                        "organization_id",
                        Problem::UnknownOrganization,
                    ));
                }
                GrantTo::Organization(org.clone())
            }
            Grantee::User(user) => {
                if store::users::by_id(&mut tx, user)
                    .await?
                    .is_none_or(|u| u.active != 1)
                {
                    return Err(AppError::Invalid(vec![FieldError::new(
                        "user_id",
                        Problem::Invalid {
                            zh: "该用户不存在或已停用".into(),
                            en: "is not an active user".into(),
                        },
                    )]));
                }
                GrantTo::User(user.clone())
            }
        };
        let grant = NewGrant {
            elder_id,
            to: &to,
            reason: &valid.reason,
            starts_at: now,
            until: valid.until,
            granted_by: (&actor.user_id, &actor.username),
        };
        let id = store::grants::insert(&mut tx, &actor.writes(now), &grant, now).await?;
        let grantee = match &to {
            GrantTo::Organization(org) => format!("organization:{org}"),
            GrantTo::User(user) => format!("user:{user}"),
        };
        Audit::new(actor, AuditAction::GrantCreate)
            .elder(elder_id)
            .grant(&id)
            .detail(format!(
                "grant={id} to={grantee} until={}",
                store::time_text(valid.until)
            ))
            .commit(tx)
            .await?;
        Ok(id)
    }

    /// Every grant of the elder's record, newest first, with whether it is still in force.
    pub async fn list_grants(&self, actor: &Actor, elder_id: &str) -> Result<Vec<GrantView>> {
        let now = self.now();
        actor.require(self, Action::GrantRecordAccess).await?;
        let conn = self.store.acquire().await?;
        let mut conn = self
            .check_grant_manager(conn, actor, elder_id, "grant_list")
            .await?;
        let authorized = actor.writes(now);
        let rows = store::grants::of_elder(&mut conn, &authorized, elder_id).await?;
        Audit::new(actor, AuditAction::GrantList)
            .elder(elder_id)
            .append(&mut conn)
            .await?;
        let at = authorized.at().to_string();
        Ok(rows
            .into_iter()
            .map(|r| GrantView::from_row(r, &at))
            .collect())
    }

    /// Ends a grant now; its grantee's next read is refused.
    pub async fn revoke_grant(&self, actor: &Actor, elder_id: &str, grant_id: &str) -> Result<()> {
        let now = self.now();
        actor.require(self, Action::GrantRecordAccess).await?;
        let tx = self.store.begin().await?;
        let mut tx = self
            .check_grant_manager(tx, actor, elder_id, "grant_revoke")
            .await?;
        let authorized = actor.writes(now);
        if !store::grants::revoke(
            &mut tx,
            &authorized,
            elder_id,
            grant_id,
            &actor.username,
            now,
        )
        .await?
        {
            return Err(AppError::NotFound);
        }
        Audit::new(actor, AuditAction::GrantRevoke)
            .elder(elder_id)
            .grant(grant_id)
            .detail(format!("grant={grant_id}"))
            .commit(tx)
            .await?;
        Ok(())
    }

    /// Refuses unless the caller may manage grants of this elder: the permission, the record
    /// in their own scope (never through a grant: a grantee cannot pass a record on), and for
    /// staff, membership of the elder's responsible organization. Takes the connection and gives
    /// it back, so that a refusal is written after it is released: on SQLite a write
    /// transaction holds the only write lock, and the refusal's audit row would wait for it.
    async fn check_grant_manager<C: DerefMut<Target = Conn> + Send>(
        &self,
        conn: C,
        actor: &Actor,
        elder_id: &str,
        what: &str,
    ) -> Result<C> {
        let (conn, elder) = self
            .elder_in_scope(conn, &actor.writes(self.now()), actor, elder_id, what)
            .await?;
        let responsible = actor.role == Role::Admin
            || (elder.responsible_org_id.is_some() && elder.responsible_org_id == actor.org_id);
        if !responsible {
            drop(conn);
            return Err(self
                .denied(actor, what, Some(elder_id), AppError::Forbidden)
                .await);
        }
        Ok(conn)
    }

    /// The grant a read of `elder_id` relied on, when the caller's own scope does not reach the
    /// record; `None` when their scope does (or nothing does: the read itself then fails).
    pub(crate) async fn grant_relied_on(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        elder_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<String>> {
        if actor.scope == Scope::Everything
            || store::elders::get(conn, &actor.writes(at), elder_id)
                .await?
                .is_some()
        {
            return Ok(None);
        }
        Ok(store::grants::in_force_for(conn, &actor.reads(at), elder_id).await?)
    }
}
