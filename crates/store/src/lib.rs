//! Storage for both backends from one set of queries.
//!
//! Queries are portable SQL (`$1` placeholders, `RETURNING`, `ON CONFLICT`) run through sqlx's
//! `Any` driver, so SQLite and PostgreSQL share every line here; the backend crates
//! (`store-sqlite`, `store-postgres`) own connection tuning and their migrations folder. Every
//! query that returns personal records takes an [`access::Scope`] and turns it into a `WHERE`
//! condition, so a record outside the caller's scope is never read from the database at all.
//!
//! Column conventions: ids are UUIDv7 text, times are UTC RFC 3339 text with microseconds,
//! dates `YYYY-MM-DD`, flags 0/1, lists comma-framed (`,I10,E11.9,`).

pub mod assessments;
pub mod audit;
mod authorized;
mod backup;
pub mod elders;
pub mod grants;
pub mod imports;
pub mod migrate;
pub mod monitoring;
pub mod orgs;
pub mod regions;
pub mod sessions;
mod sql;
pub mod users;

pub use authorized::{Authorized, Grantee};
pub use migrate::Migration;
pub use sql::Sql;

use chrono::{DateTime, Utc};
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyConnection, AnyPool};

/// A connection of either backend; store functions take one so that a use case can run
/// several of them in one transaction.
pub type Conn = AnyConnection;
pub type Tx = sqlx::Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflicts with an existing record ({0})")]
    Conflict(String),
    #[error("the record was changed by someone else meanwhile")]
    StaleVersion,
    #[error("stored data is not in the expected shape: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("{0}")]
    Unsupported(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        match error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(ref db)
                if db.kind() == sqlx::error::ErrorKind::UniqueViolation =>
            {
                StoreError::Conflict(db.message().to_string())
            }
            // A column that does not decode (an unknown code, a malformed value) is corrupt
            // data, not an outage.
            sqlx::Error::ColumnDecode { index, source } => {
                StoreError::Corrupt(format!("column {index}: {source}"))
            }
            other => StoreError::Database(other),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The pool and which backend it talks to.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects with the `Any` driver. `after_connect` statements (pragmas) run on every new
    /// connection; the backend crates decide them.
    pub async fn connect(
        url: &str,
        backend: Backend,
        max_connections: u32,
        after_connect: &'static [&'static str],
    ) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            // A ping before each use costs a round trip to the connection's thread on every
            // query; an embedded SQLite connection cannot go stale, a PostgreSQL one can.
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for statement in after_connect {
                        sqlx::query(statement).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a
    /// deferred transaction that reads and then writes is refused with "database is locked",
    /// without waiting, when another connection committed in between; an immediate one waits
    /// its turn under `busy_timeout` like any other writer.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// A connection of its own for a long-lived writer task, outside the pool: the writer never
    /// waits for a connection behind the requests that wait for it.
    pub async fn dedicated(&self) -> Result<Conn> {
        Ok(self.pool.acquire().await?.detach())
    }

    pub async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Reads a value from the small key/value `settings` table.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.0))
    }

    pub async fn set_setting(conn: &mut Conn, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Times are stored as fixed-width UTC text so that they sort and compare as strings.
pub fn time_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("time {text:?}")))
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `,a,b,` ← `[a, b]`: framed so that `LIKE '%,a,%'` finds one member exactly.
pub fn frame_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let joined: Vec<&str> = items.into_iter().collect();
    if joined.is_empty() {
        String::new()
    } else {
        format!(",{},", joined.join(","))
    }
}

pub fn unframe_list(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
