//! Roster import batches. A file is identified by its SHA-256; `next_row` is the first data row
//! not yet committed, so an interrupted import resumes where its last committed batch ended.

use crate::sql::row;
use crate::{new_id, time_text, Authorized, Conn, Result, Sql};

row! {
    #[derive(Debug, Clone)]
    pub struct ImportBatchRow {
        pub id: String,
        pub file_sha256: String,
        pub file_name: String,
        pub total_rows: i64,
        pub next_row: i64,
        pub stored: i64,
        pub skipped: i64,
        #[sqlx(try_from = "String")]
        pub status: interop::ImportStatus,
        pub started_at: String,
        pub finished_at: Option<String>,
    }
}

/// `user_id`'s import of the file with this hash: an import is its user's alone, another user
/// sending the same file starts their own.
pub async fn by_user_and_hash(
    conn: &mut Conn,
    user_id: &str,
    sha256: &str,
) -> Result<Option<ImportBatchRow>> {
    let mut sql = Sql::select::<ImportBatchRow>("import_batches WHERE user_id = ");
    sql.text(user_id).push(" AND file_sha256 = ").text(sha256);
    Ok(sql.query_as().fetch_optional(conn).await?)
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<ImportBatchRow>> {
    Sql::find(conn, "import_batches", "id", id).await
}

pub async fn start(
    conn: &mut Conn,
    sha256: &str,
    file_name: &str,
    user_id: Option<&str>,
    total_rows: i64,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO import_batches (id, file_sha256, file_name, user_id, total_rows, status, started_at) \
         VALUES ($1, $2, $3, $4, $5, 'running', $6)",
    )
    .bind(&id)
    .bind(sha256)
    .bind(file_name)
    .bind(user_id)
    .bind(total_rows)
    .bind(time_text(chrono::Utc::now()))
    .execute(conn)
    .await?;
    Ok(id)
}

/// Records that rows up to `next_row` are done; called inside the batch's transaction so the
/// progress marker and the rows commit together.
pub async fn advance(
    conn: &mut Conn,
    id: &str,
    next_row: i64,
    stored: i64,
    skipped: i64,
) -> Result<()> {
    progress(id, next_row, stored, skipped)
        .execute(conn)
        .await?;
    Ok(())
}

/// [`advance`] only if the marker still stands at `from_row`: two runs of the same file never
/// commit the same rows. Returns false (and changes nothing) when another run moved it. Called
/// first in the batch's transaction, so a concurrent run waits on the row lock and then sees
/// the moved marker.
pub async fn advance_from(
    conn: &mut Conn,
    id: &str,
    from_row: i64,
    next_row: i64,
    stored: i64,
    skipped: i64,
) -> Result<bool> {
    let mut sql = progress(id, next_row, stored, skipped);
    sql.push(" AND next_row = ")
        .int(from_row)
        .push(" AND status = 'running'");
    Ok(sql.execute(conn).await? == 1)
}

/// The marker moved to `next_row` and the counts added, on batch `id`.
fn progress(id: &str, next_row: i64, stored: i64, skipped: i64) -> Sql {
    let mut sql = Sql::new("UPDATE import_batches SET next_row = ");
    sql.int(next_row)
        .push(", stored = stored + ")
        .int(stored)
        .push(", skipped = skipped + ")
        .int(skipped)
        .push(" WHERE id = ")
        .text(id);
    sql
}

pub async fn finish(conn: &mut Conn, id: &str) -> Result<()> {
    sqlx::query("UPDATE import_batches SET status = 'done', finished_at = $1 WHERE id = $2")
        .bind(time_text(chrono::Utc::now()))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn add_error(
    conn: &mut Conn,
    _authorized: &Authorized,
    batch_id: &str,
    row: i64,
    field: &str,
    message: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO import_row_errors (batch_id, row_number, field, message) VALUES ($1, $2, $3, $4)")
        .bind(batch_id)
        .bind(row)
        .bind(field)
        .bind(message)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn errors(
    conn: &mut Conn,
    _authorized: &Authorized,
    batch_id: &str,
    limit: i64,
) -> Result<Vec<(i64, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT row_number, field, message FROM import_row_errors WHERE batch_id = $1 ORDER BY row_number LIMIT $2",
    )
    .bind(batch_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn recent(conn: &mut Conn, limit: i64) -> Result<Vec<ImportBatchRow>> {
    let mut sql = Sql::select::<ImportBatchRow>("import_batches ORDER BY started_at DESC LIMIT ");
    sql.int(limit);
    Ok(sql.query_as().fetch_all(conn).await?)
}
