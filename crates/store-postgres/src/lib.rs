//! The production backend: PostgreSQL.

use store::{Backend, Migration, Store};

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_spine",
        sql: include_str!("../migrations/0001_spine.sql"),
    },
    Migration {
        version: 2,
        name: "0002_assessments",
        sql: include_str!("../migrations/0002_assessments.sql"),
    },
    Migration {
        version: 3,
        name: "0003_monitoring",
        sql: include_str!("../migrations/0003_monitoring.sql"),
    },
    Migration {
        version: 4,
        name: "0004_grants",
        sql: include_str!("../migrations/0004_grants.sql"),
    },
];

/// Times, dates and codes are stored as text in UTC; the session time zone never matters, but
/// is fixed so that `now()` in ad-hoc queries agrees with the application.
const SESSION_SETTINGS: &[&str] = &["SET TIME ZONE 'UTC'"];

pub async fn open_url(url: &str) -> store::Result<Store> {
    Store::connect(url, Backend::Postgres, 16, SESSION_SETTINGS).await
}
