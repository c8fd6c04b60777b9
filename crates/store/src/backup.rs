//! Online backup of the embedded database: `VACUUM INTO` writes a consistent copy of the
//! database as of one read transaction while the server keeps reading and writing (WAL mode: the
//! copy holds every transaction committed before it began, and nothing of any later one).
//! PostgreSQL is backed up with its own tools (`pg_dump`, base backups); see the README.

use crate::{Backend, Result, Store, StoreError};
use std::path::Path;

impl Store {
    /// Writes a consistent copy of the SQLite database to `target`, which must not exist.
    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "online backup is for SQLite; back PostgreSQL up with pg_dump or a base backup"
                    .into(),
            ));
        }
        if target.exists() {
            return Err(StoreError::Unsupported(format!(
                "{} exists already; a backup never overwrites a file",
                target.display()
            )));
        }
        let target = target
            .to_str()
            .ok_or_else(|| StoreError::Unsupported("the backup path must be valid UTF-8".into()))?;
        let mut conn = self.acquire().await?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Checks a database file's structure (`PRAGMA integrity_check`): for a backup before it is
    /// restored.
    pub async fn integrity_ok(&self) -> Result<bool> {
        let mut conn = self.acquire().await?;
        let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&mut *conn)
            .await?;
        Ok(verdict == "ok")
    }

    /// Whether the SQLite database holds a table of that name.
    pub async fn has_table(&self, name: &str) -> Result<bool> {
        let mut conn = self.acquire().await?;
        let found: Option<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1")
                .bind(name)
                .fetch_optional(&mut *conn)
                .await?;
        Ok(found.is_some())
    }

    /// Takes and releases an exclusive lock without waiting: fails while another process has
    /// the SQLite database open for writing or reading in WAL mode.
    pub async fn exclusive_probe(&self) -> Result<()> {
        let mut conn = self.acquire().await?;
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut *conn).await?;
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        Ok(())
    }
}
