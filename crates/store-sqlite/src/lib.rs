//! The embedded default: one SQLite file, WAL mode, foreign keys on.

use std::path::Path;
use store::{Backend, Migration, Store};

pub const MIGRATIONS: &[Migration] = store::migrations![
    "0001_spine",
    "0002_assessments",
    "0003_monitoring",
    "0004_grants",
    "0005_trust",
];

/// Run on every new connection. WAL lets readers proceed while one writer commits;
/// `synchronous=NORMAL` is durable across application crashes in WAL mode (a power cut may lose
/// the last transactions, never corrupt the file).
const PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    // 8 MiB of page cache per connection keeps the idle server small; the OS file cache does
    // the rest.
    "PRAGMA cache_size = -8192",
    "PRAGMA temp_store = MEMORY",
];

/// Opens (creating if missing) the database file at `path`.
pub async fn open_file(path: &Path) -> store::Result<Store> {
    open_url(&format!("sqlite://{}?mode=rwc", path.display())).await
}

/// Opens a `sqlite://` URL. `mode=rwc` must be in it for a new file to be created; a typo in a
/// URL without it fails instead of silently creating an empty database.
pub async fn open_url(url: &str) -> store::Result<Store> {
    Store::connect(url, Backend::Sqlite, 8, PRAGMAS).await
}

/// Replaces the database file `database` with the backup `backup` (made by
/// [`Store::backup_to`]). The backup is checked first (SQLite's integrity check, and it must be
/// a yiyang database); the replaced file is kept beside it as `<name>.replaced-<time>`. Refused
/// while any process has `database` open: stop the server first.
pub async fn restore(backup: &Path, database: &Path) -> store::Result<Option<std::path::PathBuf>> {
    use store::StoreError::Unsupported;
    let copy = Store::connect(
        &format!("sqlite://{}?mode=ro", backup.display()),
        Backend::Sqlite,
        1,
        &[],
    )
    .await?;
    if !copy.integrity_ok().await? {
        return Err(Unsupported(format!(
            "{} fails SQLite's integrity check; it is not restored",
            backup.display()
        )));
    }
    if !copy.has_table("schema_migrations").await? {
        return Err(Unsupported(format!(
            "{} is not a yiyang database",
            backup.display()
        )));
    }
    copy.close().await;
    let mut replaced = None;
    if database.exists() {
        refuse_if_open(database).await?;
        let aside = database.with_extension(format!(
            "db.replaced-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        std::fs::rename(database, &aside).map_err(|e| Unsupported(e.to_string()))?;
        for suffix in ["-wal", "-shm"] {
            let side = std::path::PathBuf::from(format!("{}{suffix}", database.display()));
            let _ = std::fs::remove_file(side);
        }
        replaced = Some(aside);
    }
    std::fs::copy(backup, database).map_err(|e| Unsupported(e.to_string()))?;
    Ok(replaced)
}

/// Fails when another connection holds `database` (a running server): an exclusive lock is
/// taken without waiting, and released at once.
async fn refuse_if_open(database: &Path) -> store::Result<()> {
    let probe = Store::connect(
        &format!("sqlite://{}", database.display()),
        Backend::Sqlite,
        1,
        &["PRAGMA busy_timeout = 0", "PRAGMA locking_mode = EXCLUSIVE"],
    )
    .await?;
    let locked = probe.exclusive_probe().await;
    probe.close().await;
    if locked.is_err() {
        return Err(store::StoreError::Unsupported(format!(
            "{} is in use (is the server running?); stop it, then restore",
            database.display()
        )));
    }
    Ok(())
}
