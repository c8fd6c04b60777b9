//! User accounts. Staff belong to an organization; a supervisor to a region; a family account
//! to one elder's record.

use crate::sql::{row, Param, Record};
use crate::{new_id, time_text, Conn, Result, Sql};
use access::Role;

row! {
    #[derive(Debug, Clone)]
    pub struct UserRow {
        pub id: String,
        pub username: String,
        pub display_name: String,
        pub password_hash: String,
        #[sqlx(try_from = "String")]
        pub role: Role,
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
}

/// What a new or edited account holds; the password hash is set separately.
#[derive(Debug, Clone, Default)]
pub struct UserFields {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_id: Option<String>,
    pub region_code: Option<String>,
    pub elder_id: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub caregiver_certified: bool,
    pub trained_on: Option<String>,
}

/// The account columns both insert and update write, in this order.
const PROFILE_COLUMNS: &str = "display_name, role, org_id, region_code, elder_id, phone, active, \
    caregiver_certified, trained_on";

/// The stored values of [`PROFILE_COLUMNS`].
fn profile_values(user: &UserFields) -> Vec<Param> {
    vec![
        user.display_name.clone().into(),
        user.role.clone().into(),
        user.org_id.clone().into(),
        user.region_code.clone().into(),
        user.elder_id.clone().into(),
        user.phone.clone().into(),
        i64::from(user.active).into(),
        i64::from(user.caregiver_certified).into(),
        user.trained_on.clone().into(),
    ]
}

pub async fn insert(conn: &mut Conn, user: &UserFields, password_hash: &str) -> Result<String> {
    let id = new_id();
    let mut values = vec![user.username.clone().into(), password_hash.into()];
    values.extend(profile_values(user));
    Record {
        table: "users",
        id: &id,
    }
    .insert(
        conn,
        &format!("username, password_hash, {PROFILE_COLUMNS}"),
        values,
    )
    .await?;
    Ok(id)
}

pub async fn update(conn: &mut Conn, id: &str, user: &UserFields) -> Result<()> {
    Record { table: "users", id }
        .update(conn, PROFILE_COLUMNS, profile_values(user))
        .await
}

pub async fn set_password(conn: &mut Conn, id: &str, password_hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(time_text(chrono::Utc::now()))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn by_username(conn: &mut Conn, username: &str) -> Result<Option<UserRow>> {
    Sql::find(conn, "users", "username", username).await
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<UserRow>> {
    Sql::find(conn, "users", "id", id).await
}

pub async fn list(conn: &mut Conn, offset: i64, limit: i64) -> Result<(Vec<UserRow>, i64)> {
    Sql::new(" FROM users")
        .page(conn, "username", offset, limit)
        .await
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Sql::new(" FROM users").count(conn).await
}
