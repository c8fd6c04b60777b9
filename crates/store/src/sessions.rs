//! Login sessions: browser cookies and API bearer tokens. Only a SHA-256 of the token is
//! stored, so a copy of the database does not let anyone log in.

use crate::{time_text, Conn, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: String,
    pub kind: String,
    pub csrf_token: String,
    pub expires_at: String,
}

pub async fn insert(
    conn: &mut Conn,
    token_hash: &str,
    user_id: &str,
    kind: &str,
    csrf_token: &str,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(kind)
    .bind(csrf_token)
    .bind(time_text(chrono::Utc::now()))
    .bind(time_text(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The live session for a token hash (not expired).
pub async fn get(
    conn: &mut Conn,
    token_hash: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<SessionRow>> {
    Ok(sqlx::query_as(
        "SELECT user_id, kind, csrf_token, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(time_text(now))
    .fetch_optional(conn)
    .await?)
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_for_user(conn: &mut Conn, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_expired(conn: &mut Conn, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(time_text(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
