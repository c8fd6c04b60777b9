//! User administration (system admins only).

use crate::audit_log::Audit;
use crate::auth::{check_password_strength, hash_password};
use crate::{Actor, App, AppError, Page, Result};
use access::{Action, AuditAction, Role};
use registry::{field, FieldError, Problem};
use store::users::{UserFields, UserRow};

/// Raw input from the user form or API.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub org_id: Option<String>,
    pub region_code: Option<String>,
    pub elder_id: Option<String>,
    pub phone: Option<String>,
    pub active: Option<bool>,
    pub caregiver_certified: Option<bool>,
    pub trained_on: Option<String>,
    pub password: Option<String>,
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

impl UserInput {
    /// Checks the fields; `creating` requires a username and a password.
    pub fn validate(&self, creating: bool) -> Result<(UserFields, Option<String>)> {
        let mut errors = Vec::new();
        let username = trimmed(&self.username).unwrap_or_default();
        if creating {
            let ok = (3..=32).contains(&username.len())
                && username
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
            if !ok {
                errors.push(FieldError::new(
                    "username",
                    Problem::Invalid {
                        zh: "用户名为 3–32 位字母、数字、下划线、点或连字符".into(),
                        en: "3–32 letters, digits, underscore, dot or hyphen".into(),
                    },
                ));
            }
        }
        let display_name = registry::field::text(
            &mut errors,
            "display_name",
            self.display_name.as_deref(),
            50,
            true,
        );
        let role = match trimmed(&self.role).as_deref().and_then(Role::parse) {
            Some(r) => Some(r),
            None => {
                errors.push(FieldError::new(
                    "role",
                    Problem::OneOf {
                        allowed: Role::CODES.to_vec(),
                    },
                ));
                None
            }
        };
        let org_id = trimmed(&self.org_id);
        let region_code = field::region_prefix(&mut errors, "region_code", &self.region_code);
        let elder_id = trimmed(&self.elder_id);
        if let Some(role) = role {
            if role.needs_organization() && org_id.is_none() {
                errors.push(FieldError::new("org_id", Problem::Required));
            }
            if role == Role::Supervisor && region_code.is_none() {
                errors.push(FieldError::new("region_code", Problem::Required));
            }
            if role == Role::Family && elder_id.is_none() {
                errors.push(FieldError::new("elder_id", Problem::Required));
            }
        }
        let phone = field::optional(&mut errors, "phone", &self.phone, |t| {
            field::phone(t).map(|p| p.as_str().to_string())
        });
        let trained_on = field::optional(&mut errors, "trained_on", &self.trained_on, |t| {
            registry::elder::parse_date(t)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .ok_or(Problem::Date)
        });
        let password = trimmed(&self.password);
        match &password {
            Some(p) => {
                if let Err(problem) = check_password_strength(p) {
                    errors.push(FieldError::new("password", problem));
                }
            }
            None if creating => errors.push(FieldError::new("password", Problem::Required)),
            None => {}
        }
        AppError::invalid_if_any(errors)?;
        let fields = UserFields {
            username,
            display_name: display_name.expect("checked"),
            role: role.expect("checked").code().to_string(),
            org_id,
            region_code,
            elder_id,
            phone,
            active: self.active.unwrap_or(true),
            caregiver_certified: self.caregiver_certified.unwrap_or(false),
            trained_on,
        };
        Ok((fields, password))
    }
}

/// A user account as administrators see it: everything but the password hash, which never
/// leaves `app`.
#[derive(Debug, Clone)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: access::Role,
    pub org_id: Option<String>,
    pub region_code: Option<String>,
    pub elder_id: Option<String>,
    pub phone: Option<String>,
    pub active: i64,
    pub caregiver_certified: i64,
    pub trained_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> UserView {
        UserView {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            role: row.role,
            org_id: row.org_id,
            region_code: row.region_code,
            elder_id: row.elder_id,
            phone: row.phone,
            active: row.active,
            caregiver_certified: row.caregiver_certified,
            trained_on: row.trained_on,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

impl App {
    pub async fn list_users(&self, actor: &Actor, page: Page) -> Result<(Vec<UserView>, i64)> {
        actor.require(self, Action::ManageUsers).await?;
        let mut conn = self.store.acquire().await?;
        let (rows, total) = store::users::list(&mut conn, page.offset(), page.per_page).await?;
        Ok((rows.into_iter().map(UserView::from).collect(), total))
    }

    pub async fn get_user(&self, actor: &Actor, id: &str) -> Result<UserView> {
        actor.require(self, Action::ManageUsers).await?;
        let mut conn = self.store.acquire().await?;
        store::users::by_id(&mut conn, id)
            .await?
            .map(UserView::from)
            .ok_or(AppError::NotFound)
    }

    pub async fn create_user(&self, actor: &Actor, input: &UserInput) -> Result<String> {
        actor.require(self, Action::ManageUsers).await?;
        let (fields, password) = input.validate(true)?;
        let mut tx = self.store.begin().await?;
        self.check_user_links(&mut tx, &fields).await?;
        if store::users::by_username(&mut tx, &fields.username)
            .await?
            .is_some()
        {
            return Err(AppError::field(
                "username",
                Problem::Invalid {
                    zh: "用户名已被使用".into(),
                    en: "is already taken".into(),
                },
            ));
        }
        let hash = hash_password(&password.expect("checked"))?;
        let id = store::users::insert(&mut tx, &fields, &hash).await?;
        Audit::new(actor, AuditAction::UserCreate)
            .target("user", &id)
            .detail(format!("{} {}", fields.username, fields.role))
            .commit(tx)
            .await?;
        Ok(id)
    }

    pub async fn update_user(&self, actor: &Actor, id: &str, input: &UserInput) -> Result<()> {
        actor.require(self, Action::ManageUsers).await?;
        let (fields, password) = input.validate(false)?;
        let mut tx = self.store.begin().await?;
        self.check_user_links(&mut tx, &fields).await?;
        store::users::update(&mut tx, id, &fields).await?;
        if let Some(password) = password {
            store::users::set_password(&mut tx, id, &hash_password(&password)?).await?;
            store::sessions::delete_for_user(&mut tx, id).await?;
        }
        if !fields.active {
            store::sessions::delete_for_user(&mut tx, id).await?;
        }
        Audit::new(actor, AuditAction::UserUpdate)
            .target("user", id)
            .detail(fields.role.clone())
            .commit(tx)
            .await?;
        self.forget_sessions_of(id);
        Ok(())
    }

    async fn check_user_links(&self, conn: &mut store::Conn, fields: &UserFields) -> Result<()> {
        let authorized = crate::auth::system_access(self.now());
        let mut errors = Vec::new();
        if let Some(org) = &fields.org_id {
            if store::orgs::get(conn, org).await?.is_none() {
                errors.push(FieldError::new("org_id", Problem::UnknownOrganization));
            }
        }
        if let Some(code) = &fields.region_code {
            if store::regions::get(conn, code).await?.is_none() {
                errors.push(FieldError::new("region_code", Problem::UnknownRegion));
            }
        }
        if let Some(elder) = &fields.elder_id {
            if store::elders::get(conn, &authorized, elder)
                .await?
                .is_none()
            {
                errors.push(FieldError::new(
                    "elder_id",
                    Problem::Invalid {
                        zh: "该老人档案不存在".into(),
                        en: "is not a known elder record".into(),
                    },
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}
