//! A minimal migration runner: each backend crate lists its files, in order, with identical
//! names; applied versions are recorded in `schema_migrations`.

use crate::{Result, Store, StoreError};

/// The migrations of a backend crate, from its `migrations/` folder, numbered in order:
/// `store::migrations!["0001_spine", "0002_assessments"]`. Both backends list the same names.
#[macro_export]
macro_rules! migrations {
    ($($name:literal),* $(,)?) => {
        &[$($crate::Migration {
            version: $crate::migrate::version_of($name),
            name: $name,
            sql: include_str!(concat!("../migrations/", $name, ".sql")),
        }),*]
    };
}

/// `0004_grants` → 4: the number a migration's file name starts with.
pub const fn version_of(name: &str) -> i64 {
    let bytes = name.as_bytes();
    let mut version = 0;
    let mut i = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        version = version * 10 + (bytes[i] - b'0') as i64;
        i += 1;
    }
    version
}

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Store {
    /// Applies the migrations not yet applied, each in its own transaction. Returns how many ran.
    pub async fn migrate(&self, migrations: &[Migration]) -> Result<usize> {
        let mut conn = self.acquire().await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
             version BIGINT PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        let applied: Vec<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations")
            .fetch_all(&mut *conn)
            .await?;
        drop(conn);
        let newest_known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some((newest_applied,)) = applied.iter().max() {
            if *newest_applied > newest_known {
                return Err(StoreError::Corrupt(format!(
                    "the database has migration {newest_applied}, newer than this binary knows ({newest_known})"
                )));
            }
        }
        let mut count = 0;
        for migration in migrations {
            if applied.iter().any(|(v,)| *v == migration.version) {
                continue;
            }
            let mut tx = self.begin().await?;
            sqlx::raw_sql(migration.sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(migration.version)
            .bind(migration.name)
            .bind(crate::time_text(chrono::Utc::now()))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            count += 1;
        }
        Ok(count)
    }
}
