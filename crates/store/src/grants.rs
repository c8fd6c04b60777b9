//! Record grants: one organization or one user may read one elder's record for a reason, from a
//! time until a time. The scope condition (`Sql::elder_scope`) reads this table in the same
//! statement as the record, so a revoked or expired grant stops working at once.

use crate::sql::row;
use crate::{new_id, time_text, Authorized, Conn, Result, Sql};
use chrono::{DateTime, Utc};

/// Who a grant is for: exactly one of a user or an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantTo {
    User(String),
    Organization(String),
}

#[derive(Debug, Clone)]
pub struct NewGrant<'a> {
    pub elder_id: &'a str,
    pub to: &'a GrantTo,
    pub reason: &'a str,
    pub starts_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub granted_by: (&'a str, &'a str),
}

row! {
    #[derive(Debug, Clone)]
    pub struct GrantRow in "g" {
        pub id: String,
        pub elder_id: String,
        pub grantee_user_id: Option<String>,
        pub grantee_username: Option<String> = "u.username",
        pub grantee_org_id: Option<String>,
        pub grantee_org_name: Option<String> = "o.name",
        pub reason: String,
        pub starts_at: String,
        pub until_at: String,
        pub granted_by: String,
        pub granted_by_name: String,
        pub created_at: String,
        pub revoked_at: Option<String>,
        pub revoked_by: Option<String>,
    }
}

pub async fn insert(
    conn: &mut Conn,
    _authorized: &Authorized,
    grant: &NewGrant<'_>,
    now: DateTime<Utc>,
) -> Result<String> {
    let id = new_id();
    let (user, org) = match grant.to {
        GrantTo::User(u) => (Some(u.as_str()), None),
        GrantTo::Organization(o) => (None, Some(o.as_str())),
    };
    sqlx::query(
        "INSERT INTO record_grants (id, elder_id, grantee_user_id, grantee_org_id, reason, \
         starts_at, until_at, granted_by, granted_by_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(grant.elder_id)
    .bind(user)
    .bind(org)
    .bind(grant.reason)
    .bind(time_text(grant.starts_at))
    .bind(time_text(grant.until))
    .bind(grant.granted_by.0)
    .bind(grant.granted_by.1)
    .bind(time_text(now))
    .execute(conn)
    .await?;
    Ok(id)
}

/// The grants of one elder, newest first (revoked and expired ones too: they are history).
pub async fn of_elder(
    conn: &mut Conn,
    _authorized: &Authorized,
    elder_id: &str,
) -> Result<Vec<GrantRow>> {
    let mut sql = Sql::select::<GrantRow>(
        "record_grants g LEFT JOIN users u ON u.id = g.grantee_user_id \
         LEFT JOIN organizations o ON o.id = g.grantee_org_id WHERE g.elder_id = ",
    );
    sql.text(elder_id)
        .push(" ORDER BY g.created_at DESC, g.id DESC");
    Ok(sql.query_as().fetch_all(conn).await?)
}

/// Marks a grant revoked; false when it does not exist for this elder or was already revoked.
pub async fn revoke(
    conn: &mut Conn,
    _authorized: &Authorized,
    elder_id: &str,
    grant_id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE record_grants SET revoked_at = $1, revoked_by = $2 \
         WHERE id = $3 AND elder_id = $4 AND revoked_at IS NULL",
    )
    .bind(time_text(now))
    .bind(by)
    .bind(grant_id)
    .bind(elder_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The grant in force through which `authorized`'s grantee reaches `elder_id`, if any: the
/// audit row of a read names it.
pub async fn in_force_for(
    conn: &mut Conn,
    authorized: &Authorized,
    elder_id: &str,
) -> Result<Option<String>> {
    let Some(grantee) = authorized.grantee() else {
        return Ok(None);
    };
    let mut sql =
        Sql::new("SELECT g.id FROM record_grants g WHERE g.revoked_at IS NULL AND g.elder_id = ");
    sql.text(elder_id)
        .grant_in_force(authorized, grantee)
        .push(" ORDER BY g.until_at DESC LIMIT 1");
    let row: Option<(String,)> = sql.query_as().fetch_optional(conn).await?;
    Ok(row.map(|r| r.0))
}
