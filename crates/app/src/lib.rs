//! Use cases. Each one authorizes the caller (role and data scope), calls the domain, writes
//! through the store in one transaction together with its audit row, and returns plain data.
//! HTTP, MQTT and the CLI are peers over this API; only this crate decides who may see what.

pub mod assessments;
pub mod audit_log;
pub mod auth;
pub mod backup;
pub mod dashboard;
pub mod demo_gate;
pub mod elders;
pub mod grants;
pub mod import;
pub mod monitoring;
pub mod orgs;
pub mod rate;
pub mod regions;
pub mod tasks;
pub mod users;

pub use auth::{Actor, LoginError};
/// The storage conventions callers see in views: UTC times as fixed-width text, framed lists.
pub use store::{time_text, unframe_list};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use registry::FieldError;
use std::sync::Arc;
use store::{Backend, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("changed by someone else meanwhile")]
    Stale,
    #[error("internal error: {0}")]
    Internal(String),
    /// A service the use case needs (the MQTT broker) did not answer; nothing was stored.
    #[error("unavailable: {en}")]
    Unavailable { zh: String, en: String },
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::StaleVersion => AppError::Stale,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl AppError {
    pub fn field(field: &str, problem: registry::Problem) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }

    /// `Ok` when checking the input found nothing wrong, else every field error at once.
    pub fn invalid_if_any(errors: Vec<FieldError>) -> Result<()> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// China Standard Time; the country has one time zone and no daylight saving.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Today's date in Asia/Shanghai: the date a user would write on a form.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&shanghai()).date_naive()
}

/// A stored UTC time, if it is one.
pub fn parse_time(stored: &str) -> Option<DateTime<Utc>> {
    store::parse_time(stored).ok()
}

/// Shows a stored UTC time in Asia/Shanghai, `2026-11-23 17:32`.
pub fn local_time_text(stored: &str) -> String {
    store::parse_time(stored)
        .map(|t| {
            t.with_timezone(&shanghai())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| stored.to_string())
}

/// Which database a URL names; refuses anything else rather than guessing.
pub fn backend_of(url: &str) -> Option<Backend> {
    if url.starts_with("sqlite:") {
        Some(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Some(Backend::Postgres)
    } else {
        None
    }
}

/// Opens the store a URL names and applies its migrations.
pub async fn open_store(url: &str) -> Result<Store> {
    let store = match backend_of(url) {
        Some(Backend::Sqlite) => store_sqlite::open_url(url).await,
        Some(Backend::Postgres) => store_postgres::open_url(url).await,
        None => {
            return Err(AppError::Internal(format!(
                "unsupported database URL (use sqlite://FILE?mode=rwc or postgres://...): {}",
                redact_url(url)
            )))
        }
    }?;
    migrate(&store).await?;
    Ok(store)
}

pub async fn migrate(store: &Store) -> Result<usize> {
    let migrations = match store.backend() {
        Backend::Sqlite => store_sqlite::MIGRATIONS,
        Backend::Postgres => store_postgres::MIGRATIONS,
    };
    Ok(store.migrate(migrations).await?)
}

/// A URL with its password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The application: the store and the process-wide state the use cases share.
#[derive(Clone)]
pub struct App {
    store: Store,
    limiter: Arc<auth::LoginLimiter>,
    assessment: Arc<assessments::AssessmentSettings>,
    monitoring: Arc<monitoring::MonitoringState>,
    tasks: tasks::Tasks,
    device_accounts: monitoring::broker_accounts::SharedAccounts,
    /// Searches by number per user: enough for a clinic's day, too few to enumerate numbers.
    number_searches: Arc<rate::SlidingWindow>,
    audit_writer: Arc<std::sync::OnceLock<audit_log::AuditWriter>>,
    sessions: Arc<auth::SessionCache>,
}

impl App {
    pub fn new(store: Store) -> App {
        App {
            store,
            limiter: Arc::new(auth::LoginLimiter::default()),
            assessment: Arc::new(assessments::AssessmentSettings::default()),
            monitoring: Arc::new(monitoring::MonitoringState::new(
                monitoring::MonitoringSettings::default(),
            )),
            tasks: tasks::Tasks::default(),
            device_accounts: None,
            number_searches: Arc::new(rate::SlidingWindow::new(
                elders::NUMBER_SEARCHES_PER_WINDOW,
                chrono::Duration::minutes(5),
            )),
            audit_writer: Arc::default(),
            sessions: Arc::default(),
        }
    }

    /// The deployment's choices for scoring and for what results mean (see `[assessment]` in
    /// the configuration).
    pub fn with_assessment_settings(mut self, settings: assessments::AssessmentSettings) -> App {
        self.assessment = Arc::new(settings);
        self
    }

    pub fn assessment_settings(&self) -> &assessments::AssessmentSettings {
        &self.assessment
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// The raw store, for integration tests only (feature `test-support`, which only `testkit`
    /// enables).
    #[cfg(feature = "test-support")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// True when the database answers (for `/healthz`).
    pub async fn database_ok(&self) -> bool {
        self.store.ping().await
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        self.store.backend().name()
    }

    /// Closes the database pool (at shutdown, and before a benchmark drops its scratch database).
    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// Page arguments as the API takes them (`page` from 1, `per_page` up to 200).
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

impl Page {
    pub const MAX_PER_PAGE: i64 = 200;

    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Page {
        let per_page = per_page.unwrap_or(20).clamp(1, Page::MAX_PER_PAGE);
        let page = page.unwrap_or(1).clamp(1, 1_000_000);
        Page { page, per_page }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

impl Default for Page {
    fn default() -> Page {
        Page::new(None, None)
    }
}

impl App {
    /// True when no elder record is stored yet (`serve --demo` fills only an empty database).
    pub async fn is_empty(&self) -> Result<bool> {
        let authorized = crate::auth::system_access(self.now());
        let mut conn = self.store.acquire().await?;
        let counts = store::elders::counts(&mut conn, &authorized).await?;
        Ok(counts.total == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend_or_are_refused() {
        assert_eq!(backend_of("sqlite://x.db?mode=rwc"), Some(Backend::Sqlite));
        assert_eq!(backend_of("postgres://u@h/db"), Some(Backend::Postgres));
        assert_eq!(backend_of("postgress://u@h/db"), None);
        assert_eq!(backend_of("x.db"), None);
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
    }

    #[test]
    fn pages_are_clamped() {
        let p = Page::new(Some(0), Some(10_000));
        assert_eq!((p.page, p.per_page, p.offset()), (1, 200, 0));
        assert_eq!(Page::new(Some(3), Some(20)).offset(), 40);
    }

    #[test]
    fn shanghai_dates() {
        let late = DateTime::parse_from_rfc3339("2026-11-23T16:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(today(late), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(
            local_time_text("2026-11-23T16:30:00.000000Z"),
            "2026-11-24 00:30"
        );
    }
}
