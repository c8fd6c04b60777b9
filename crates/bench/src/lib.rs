//! `yiyang bench registry|assess|ingest`: figures for the speed and size targets, each measured
//! on scratch databases (created and dropped here) holding a generated demo county.

pub mod ingest;
pub mod registry;

pub use ingest::{ingest, IngestArgs};
pub use registry::{assess, registry, AssessArgs, RegistryArgs};

use anyhow::Result;
use app::App;
use registry::Scratch;
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
