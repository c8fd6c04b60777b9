//! The embedded default: one SQLite file, WAL mode, foreign keys on.

use std::path::Path;
use store::{Backend, Migration, Store};

pub const MIGRATIONS: &[Migration] = store::migrations![
    "0001_spine",
    "0002_assessments",
    "0003_monitoring",
    "0004_grants",
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
