//! `yiyang backup` and `yiyang restore` for the embedded database. A backup is a consistent
//! copy taken while the server runs (SQLite's `VACUUM INTO`); a restore checks the copy and puts
//! it in place of a database no process has open. PostgreSQL has its own tools (README).

use crate::{backend_of, App, AppError, Result};
use std::path::{Path, PathBuf};
use store::{Backend, StoreError};

fn refused(error: StoreError) -> AppError {
    match error {
        StoreError::Unsupported(why) => AppError::Internal(why),
        other => other.into(),
    }
}

impl App {
    /// Writes a consistent copy of the database to `target` (a new file).
    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        self.store.backup_to(target).await.map_err(refused)
    }
}

/// The file a `sqlite:` URL names.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// Replaces the SQLite database `database_url` names with `backup`; returns where the replaced
/// file was kept, if there was one.
pub async fn restore(backup: &Path, database_url: &str) -> Result<Option<PathBuf>> {
    if backend_of(database_url) != Some(Backend::Sqlite) {
        return Err(AppError::Internal(
            "restore is for the embedded SQLite database; restore PostgreSQL with pg_restore"
                .into(),
        ));
    }
    let database = sqlite_path(database_url)
        .ok_or_else(|| AppError::Internal(format!("no file in {database_url}")))?;
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Internal(e.to_string()))?;
    }
    store_sqlite::restore(backup, &database)
        .await
        .map_err(refused)
}
