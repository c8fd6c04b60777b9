//! `yiyang bench registry|assess|ingest|api`: figures for the speed and size targets, each measured
//! on scratch databases (created and dropped here) holding a generated demo county.

pub mod api;
pub mod ingest;
pub mod registry;

pub use api::{api, ApiArgs};
pub use ingest::{ingest, IngestArgs};
pub use registry::{assess, registry, AssessArgs, RegistryArgs};

use anyhow::{bail, Result};
use app::App;
use clap::Args;
use registry::{load_average, Scratch};
use std::time::{Duration, Instant};

/// A demo county generated on a scratch database.
struct DemoDb {
    app: App,
    /// The store of the (marked) demo database, for what the use cases do not offer.
    store: store::Store,
    /// Access to every record of that demo database, for the store calls.
    authorized: store::Authorized,
    admin_password: String,
    summary: demo::DemoSummary,
    generation: Duration,
}

/// Opens `scratch`, creates the admin with a fresh password and generates `elders` demo elders.
async fn demo_database(scratch: &Scratch, elders: usize, seed: u64) -> Result<DemoDb> {
    let store = app::open_store(scratch.url())
        .await
        .map_err(cli::app_error)?;
    let app = App::new(store);
    let admin_password = app::auth::generate_password();
    app.ensure_admin(Some(admin_password.clone()))
        .await
        .map_err(cli::app_error)?;
    let bar = cli::Progress::new("demo", elders as u64);
    let started = Instant::now();
    let summary = demo::generate(
        &app,
        &demo::DemoOptions {
            elders,
            seed,
            password: None,
        },
        &|done| bar.set(done),
    )
    .await
    .map_err(cli::app_error)?;
    let generation = started.elapsed();
    bar.finish();
    let store = app.demo_store().await.map_err(cli::app_error)?;
    let authorized = app.demo_authorized().await.map_err(cli::app_error)?;
    Ok(DemoDb {
        app,
        store,
        authorized,
        admin_password,
        summary,
        generation,
    })
}

/// The backends a benchmark measures on, each on a scratch database of its own.
#[derive(Args)]
pub struct Backends {
    /// Also measure on this PostgreSQL server (a scratch database is created and dropped).
    #[arg(long, env = "YIYANG_BENCH_POSTGRES_URL")]
    pub postgres_url: Option<String>,
    /// Measure PostgreSQL only (needs --postgres-url).
    #[arg(long)]
    pub skip_sqlite: bool,
    /// Keep the scratch databases and print where they are.
    #[arg(long)]
    pub keep: bool,
}

/// What `measure` gave on one backend, with the machine's load average before and after (other
/// work on the machine shows in every figure).
struct Measured<T> {
    backend: &'static str,
    figures: T,
    load_before: String,
    load_after: String,
}

impl<T> Measured<T> {
    fn print_load(&self) {
        println!(
            "{}: load average (1, 5, 15 min) before {}, after {}",
            self.backend, self.load_before, self.load_after
        );
    }
}

impl Backends {
    fn check(&self) -> Result<()> {
        if self.skip_sqlite && self.postgres_url.is_none() {
            bail!("--skip-sqlite needs --postgres-url (or YIYANG_BENCH_POSTGRES_URL)");
        }
        Ok(())
    }

    /// Runs `measure` on SQLite (unless skipped), then on PostgreSQL (when given), each on a
    /// scratch database dropped afterwards (unless kept); stops at the first failure.
    async fn each<T>(
        &self,
        mut measure: impl AsyncFnMut(&'static str, &Scratch) -> Result<T>,
    ) -> Result<Vec<Measured<T>>> {
        let mut all = Vec::new();
        for backend in ["sqlite", "postgres"] {
            let scratch = match (backend, &self.postgres_url) {
                ("sqlite", _) if !self.skip_sqlite => Scratch::sqlite()?,
                ("postgres", Some(admin_url)) => Scratch::postgres(admin_url).await?,
                _ => continue,
            };
            let load_before = load_average();
            let outcome = measure(backend, &scratch).await;
            let load_after = load_average();
            scratch.finish(self.keep).await;
            all.push(Measured {
                backend,
                figures: outcome?,
                load_before,
                load_after,
            });
        }
        Ok(all)
    }
}
