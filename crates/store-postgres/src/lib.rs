//! The production backend: PostgreSQL.

use store::{Backend, Migration, Store};

pub const MIGRATIONS: &[Migration] = store::migrations![
    "0001_spine",
    "0002_assessments",
    "0003_monitoring",
    "0004_grants",
    "0005_trust",
];

/// Times, dates and codes are stored as text in UTC; the session time zone never matters, but
/// is fixed so that `now()` in ad-hoc queries agrees with the application.
const SESSION_SETTINGS: &[&str] = &["SET TIME ZONE 'UTC'"];

pub async fn open_url(url: &str) -> store::Result<Store> {
    Store::connect(url, Backend::Postgres, 16, SESSION_SETTINGS).await
}
