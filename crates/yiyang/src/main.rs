//! `yiyang`: one binary for the whole platform. This crate parses the command line and the
//! configuration, wires the store, the use cases and the web layer, and supervises tasks.

mod config;

use anyhow::{Context, Result};
use app::tasks::Need;
use clap::{Args, Parser, Subcommand};
use config::{Config, DbArgs};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "yiyang",
    version,
    about = "医养结合 integrated medical and elderly care platform"
)]
struct Cli {
    /// Configuration file (TOML). Defaults to ./yiyang.toml when it exists.
    #[arg(long, global = true, env = "YIYANG_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (applies migrations first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Write a consistent copy of the embedded database while the server runs.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the embedded database (stop the server first).
    Restore {
        /// The backup file (from `yiyang backup`).
        backup: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Generate the synthetic demo county (or a larger region with --elders).
    Demo(DemoArgs),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print benchmark figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Standardized assessments.
    #[command(subcommand)]
    Assess(AssessCommand),
    /// Print the default configuration as TOML.
    DefaultConfig,
}

#[derive(Subcommand)]
enum AssessCommand {
    /// Score an answer set (JSON: {"answers": {...}} or the bare map) and print the result as
    /// the scoring API does. Nothing is stored.
    Score {
        /// Instrument id (see `yiyang assess instruments`).
        #[arg(long)]
        instrument: String,
        /// The answers file, or - for standard input.
        #[arg(long)]
        answers: PathBuf,
    },
    /// List the instruments.
    Instruments,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "YIYANG_LISTEN")]
    listen: Option<String>,
    /// Fill an empty database with the demo county first.
    #[arg(long, env = "YIYANG_DEMO")]
    demo: bool,
    /// Elders in the demo data (with --demo).
    #[arg(long, env = "YIYANG_DEMO_ELDERS")]
    demo_elders: Option<usize>,
    /// Mark cookies Secure, or not (`--secure-cookies=false`) [default: Secure unless listening
    /// on a loopback address with no trusted proxy]
    #[arg(long, env = "YIYANG_SECURE_COOKIES", num_args = 0..=1, default_missing_value = "true")]
    secure_cookies: Option<bool>,
    /// Reverse proxies whose X-Forwarded-For names the client: addresses or networks, e.g.
    /// "127.0.0.1, 10.0.0.0/8" [default: none]
    #[arg(long, env = "YIYANG_TRUSTED_PROXIES")]
    trusted_proxies: Option<String>,
    /// MQTT broker for device readings, `mqtt://host:port`, or `off` [default: mqtt://127.0.0.1:1883]
    #[arg(long, env = "YIYANG_MQTT_URL")]
    mqtt_url: Option<String>,
    /// MQTT client id of the subscriber; the broker keeps its session [default: yiyang-ingest]
    #[arg(long, env = "YIYANG_MQTT_CLIENT_ID")]
    mqtt_client_id: Option<String>,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct DemoArgs {
    #[command(subcommand)]
    command: Option<DemoCommand>,
    #[command(flatten)]
    db: DbArgs,
    /// Number of elders [default: 20000]
    #[arg(long)]
    elders: Option<usize>,
    /// Random seed: the same seed gives the same people.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Bind simulated devices to demo elders and publish their readings over MQTT until Ctrl-C.
    Devices(SimulateArgs),
}

#[derive(Args)]
struct SimulateArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    simulation: simulator::DevicesArgs,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Load administrative divisions from a `code,name` list (6/9/12-digit codes, top-down).
    Regions {
        #[command(flatten)]
        db: DbArgs,
        /// The list file (UTF-8).
        file: PathBuf,
    },
    /// Import an elder roster (CSV or .xlsx).
    Elders {
        #[command(flatten)]
        db: DbArgs,
        /// The roster file.
        file: PathBuf,
        /// Import as this user (must be allowed to import) [default: admin]
        #[arg(long, default_value = "admin")]
        user: String,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Registry figures: lookups, searches, list pages, demo generation, idle memory.
    Registry(bench::RegistryArgs),
    /// Assessment figures: scoring time per instrument; sign, confirm, history, worklist and
    /// counts on a demo county.
    Assess(bench::AssessArgs),
    /// Ingest figures: readings/s over MQTT and HTTP, alert latency under load, and the raw
    /// insert ceiling of the database.
    Ingest(bench::IngestArgs),
    /// API figures: audited reads of one elder per second beside `/healthz`, in one run, and
    /// one audit row per answered read.
    Api(bench::ApiArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("YIYANG_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = Config::load(cli.config.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli.command, config))
}

async fn run(command: Command, config: Config) -> Result<()> {
    match command {
        Command::Serve(args) => serve(args, config).await,
        Command::Migrate(db) => {
            let app = open_app(&config.database_url(&db)?, &config).await?;
            println!("migrations applied ({})", app.backend_name());
            Ok(())
        }
        Command::Backup { db, to } => {
            let app = open_app(&config.database_url(&db)?, &config).await?;
            let started = std::time::Instant::now();
            eprintln!("backing up to {} …", to.display());
            app.backup_to(&to).await.map_err(cli::app_error)?;
            let size = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
            println!(
                "backup written: {} ({:.1} MiB in {:.1} s)",
                to.display(),
                size as f64 / 1048576.0,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { backup, db } => {
            let url = config.database_url(&db)?;
            let replaced = app::backup::restore(&backup, &url)
                .await
                .map_err(cli::app_error)?;
            match replaced {
                Some(aside) => println!(
                    "restored {}; the database it replaced is kept as {}",
                    backup.display(),
                    aside.display()
                ),
                None => println!("restored {}", backup.display()),
            }
            Ok(())
        }
        Command::Demo(DemoArgs {
            command: Some(DemoCommand::Devices(args)),
            ..
        }) => simulate(args, &config).await,
        Command::Demo(args) => {
            let app = open_app(&config.database_url(&args.db)?, &config).await?;
            generate_demo(&app, args.elders.unwrap_or(demo::DEFAULT_ELDERS), args.seed).await
        }
        Command::Import(ImportCommand::Regions { db, file }) => {
            let url = config.database_url(&db)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let regions = match region::parse_division_list(&text) {
                Ok(regions) => regions,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("line {}: {}", e.line, e.message);
                    }
                    anyhow::bail!(
                        "{} lines could not be read; nothing was stored",
                        errors.len()
                    );
                }
            };
            let count = open_app(&url, &config)
                .await?
                .upsert_regions(&regions)
                .await
                .map_err(cli::app_error)?;
            println!("{count} regions stored");
            Ok(())
        }
        Command::Import(ImportCommand::Elders { db, file, user }) => {
            let app = open_app(&config.database_url(&db)?, &config).await?;
            import_elders(&app, &file, &user).await
        }
        Command::Bench(BenchCommand::Registry(args)) => bench::registry(args).await,
        Command::Bench(BenchCommand::Assess(args)) => bench::assess(args).await,
        Command::Bench(BenchCommand::Ingest(args)) => bench::ingest(args).await,
        Command::Bench(BenchCommand::Api(args)) => bench::api(args).await,
        Command::Assess(AssessCommand::Instruments) => {
            for i in &assessment::catalog().instruments {
                println!("{:<22} {}  ({})", i.id, i.name_zh, i.name_en);
            }
            Ok(())
        }
        Command::Assess(AssessCommand::Score {
            instrument,
            answers,
        }) => assess_score(&instrument, &answers, &config),
        Command::DefaultConfig => {
            print!("{}", Config::default_toml());
            Ok(())
        }
    }
}

async fn generate_demo(app: &app::App, elders: usize, seed: u64) -> Result<()> {
    let password = std::env::var("YIYANG_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let bar = cli::Progress::new("demo", elders as u64);
    let summary = demo::generate(
        app,
        &demo::DemoOptions {
            elders,
            seed,
            password: password.clone(),
        },
        &|done| bar.set(done),
    )
    .await
    .map_err(cli::app_error)?;
    bar.finish();
    println!(
        "demo data: {} elders, {} organizations, {} regions in {:.1} s",
        summary.elders, summary.organizations, summary.regions, summary.seconds
    );
    match (password, summary.generated_password) {
        (_, Some(generated)) => println!(
            "demo users supervisor, doctor, nurse, caregiver, assessor, assessor2, family — password: {generated}"
        ),
        (Some(_), None) => println!("demo users supervisor, doctor, nurse, caregiver, assessor, assessor2, family — password from YIYANG_DEMO_PASSWORD"),
        (None, None) => {}
    }
    Ok(())
}

/// `yiyang demo devices`: the simulator on the demo database (it refuses any other).
async fn simulate(args: SimulateArgs, config: &Config) -> Result<()> {
    args.simulation.check()?;
    let broker_text = args
        .simulation
        .mqtt_url
        .clone()
        .or(config.monitoring.as_ref().and_then(|m| m.mqtt_url.clone()))
        .unwrap_or_else(|| config::DEFAULT_MQTT_URL.into());
    if broker_text.trim() == "off" {
        anyhow::bail!("the simulator publishes over MQTT: give a broker with --mqtt-url");
    }
    let broker = mqtt::BrokerUrl::parse(&broker_text)?;
    if broker.username.is_none() {
        anyhow::bail!(
            "the simulated devices need their broker accounts: give yiyang's broker account in \
             --mqtt-url (deploy/mosquitto/start.sh writes it to <dir>/mqtt-url)"
        );
    }
    let accounts = mqtt::BrokerAccounts::connect(
        &broker,
        &format!("yiyang-sim-control-{}", std::process::id()),
    );
    let app = open_app(&config.database_url(&args.db)?, config)
        .await?
        .with_device_accounts(std::sync::Arc::new(accounts));
    simulator::devices(&args.simulation, app, broker).await
}

async fn import_elders(app: &app::App, file: &std::path::Path, username: &str) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let actor = app.system_actor(username).await.map_err(cli::app_error)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let bar = cli::Progress::new("import", 0);
    let report = app
        .import_elders(&actor, &name, &bytes, registry::Lang::Zh, &|done, total| {
            bar.set_total(total as u64);
            bar.set(done as u64)
        })
        .await
        .map_err(cli::app_error)?;
    bar.finish();
    if report.already_imported {
        println!(
            "this file was imported before (import {}); nothing was stored again — its report:",
            report.batch_id
        );
    } else if report.resumed_from_row > 0 {
        println!("resumed at data row {}", report.resumed_from_row + 1);
    }
    for w in &report.warnings {
        println!("row {}, column {}: {}", w.row, w.column, w.message);
    }
    for e in &report.errors {
        println!("row {}, column {}: {}", e.row, e.column, e.message);
    }
    println!(
        "{} rows: {} stored, {} skipped",
        report.total_rows, report.stored, report.skipped
    );
    Ok(())
}

/// Deletes broker accounts of devices that are no longer bound, at start and every 5 minutes
/// (a revocation the broker missed while it was down).
async fn reconcile_broker_accounts(app: app::App) {
    loop {
        match app.reconcile_device_accounts().await {
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "broker: reconciliation failed; retrying later"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(300)).await;
    }
}

async fn serve(args: ServeArgs, config: Config) -> Result<()> {
    let url = config.database_url(&args.db)?;
    let listen = args
        .listen
        .or(config.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let trusted_proxies = config.trusted_proxies(args.trusted_proxies.as_deref())?;
    let app = open_app(&url, &config).await?;
    tracing::info!(database = app.backend_name(), "migrations applied");
    if args.demo || config.demo.unwrap_or(false) {
        if app.is_empty().await.map_err(cli::app_error)? {
            let elders = args
                .demo_elders
                .or(config.demo_elders)
                .unwrap_or(demo::DEFAULT_ELDERS);
            generate_demo(&app, elders, 2026).await?;
        } else if app.is_demo_database().await.map_err(cli::app_error)? {
            tracing::info!("the demo database already holds records; --demo leaves it as it is");
        } else {
            return Err(cli::app_error(app::demo_gate::not_a_demo_database()));
        }
    }
    let monitoring = config.monitoring.clone().unwrap_or_default();
    let mqtt_url = args
        .mqtt_url
        .or(monitoring.mqtt_url.clone())
        .unwrap_or_else(|| config::DEFAULT_MQTT_URL.into());
    let mut subscriber = None;
    let mut app = app;
    if mqtt_url.trim() != "off" {
        let broker = mqtt::BrokerUrl::parse(&mqtt_url)?;
        let mut config_of_subscriber = mqtt::SubscriberConfig::new(broker.clone());
        if let Some(id) = args.mqtt_client_id.or(monitoring.mqtt_client_id.clone()) {
            config_of_subscriber.client_id = id;
        }
        if let Some(filter) = monitoring.mqtt_filter.clone() {
            config_of_subscriber.filter = filter;
        }
        if broker.username.is_some() {
            // yiyang's broker account also manages the devices' accounts (deploy/mosquitto).
            let accounts = mqtt::BrokerAccounts::connect(
                &broker,
                &format!("{}-control", config_of_subscriber.client_id),
            );
            app = app.with_device_accounts(std::sync::Arc::new(accounts));
        } else {
            tracing::warn!(
                "mqtt: no broker account in --mqtt-url; device accounts are not managed \
                 (run the broker with deploy/mosquitto/start.sh and give its mqtt-url)"
            );
        }
        subscriber = Some(config_of_subscriber);
    }
    let tasks = app.tasks();
    // Started now, so that `/healthz` lists it from the start.
    let _ = app.ingest();
    tasks.spawn("session_cleanup", Need::Optional, {
        let app = app.clone();
        move || expire_sessions(app.clone())
    });
    if let Some(subscriber) = subscriber {
        tracing::info!(client_id = %subscriber.client_id, "mqtt: connecting to {}:{}", subscriber.broker.host, subscriber.broker.port);
        let status = std::sync::Arc::new(mqtt::SubscriberStatus::default());
        tasks.spawn("mqtt_subscriber", Need::Required, {
            let app = app.clone();
            move || mqtt::run_subscriber(app.clone(), subscriber.clone(), status.clone())
        });
        tasks.spawn("broker_accounts", Need::Optional, {
            let app = app.clone();
            move || reconcile_broker_accounts(app.clone())
        });
    }
    let every =
        std::time::Duration::from_secs(monitoring.escalation_tick_seconds.unwrap_or(10).max(1));
    tasks.spawn("escalation", Need::Required, {
        let app = app.clone();
        move || run_escalations(app.clone(), every)
    });
    let every = std::time::Duration::from_secs(60 * monitoring.sweep_minutes.unwrap_or(10).max(1));
    tasks.spawn("monitoring_sweep", Need::Required, {
        let app = app.clone();
        move || sweep_monitoring(app.clone(), every)
    });
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let address = listener.local_addr()?;
    let mut state = web::WebState::new(app).with_trusted_proxies(trusted_proxies);
    state.secure_cookies =
        config.secure_cookies(args.secure_cookies, address, &state.trusted_proxies);
    let router = web::router(state);
    println!("yiyang listening on http://{address}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

/// Deletes expired sessions once an hour; they are refused anyway, this only keeps the table small.
async fn expire_sessions(app: app::App) {
    repeat_every(
        std::time::Duration::from_secs(3600),
        || app.expire_sessions(),
        |n| tracing::info!(sessions = n, "expired sessions removed"),
        "removing expired sessions",
    )
    .await
}

/// Takes due escalation steps of unacknowledged alerts every `every`.
async fn run_escalations(app: app::App, every: std::time::Duration) {
    repeat_every(
        every,
        || app.run_escalations(chrono::Utc::now()),
        |n| tracing::info!(steps = n, "alerts escalated"),
        "escalating alerts",
    )
    .await
}

/// Runs the periodic monitoring rules (silence, rising pressure) every `every`.
async fn sweep_monitoring(app: app::App, every: std::time::Duration) {
    repeat_every(
        every,
        || app.sweep_monitoring(chrono::Utc::now()),
        |n| tracing::info!(findings = n, "monitoring sweep"),
        "monitoring sweep",
    )
    .await
}

/// Runs `job` at every tick of `period` for as long as the server runs. A run that did something
/// (a count other than zero) is logged by `did`; a failed one is logged as a warning and tried
/// again at the next tick.
async fn repeat_every<N: Default + PartialEq, Run: std::future::Future<Output = app::Result<N>>>(
    period: std::time::Duration,
    job: impl Fn() -> Run,
    did: impl Fn(N),
    failing: &str,
) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        match job().await {
            Ok(n) if n == N::default() => {}
            Ok(n) => did(n),
            Err(e) => tracing::warn!("{failing}: {e}"),
        }
    }
}

/// Opens the store (applying migrations) and, on the first run against a database, creates the
/// `admin` user with `YIYANG_ADMIN_PASSWORD` or a generated password printed once.
async fn open_app(url: &str, config: &Config) -> Result<app::App> {
    let app = app::App::new(app::open_store(url).await.map_err(cli::app_error)?)
        .with_assessment_settings(assessment_settings(config)?)
        .with_monitoring_settings(config.monitoring.clone().unwrap_or_default().settings()?);
    let admin_password = std::env::var("YIYANG_ADMIN_PASSWORD").ok();
    if let Some(generated) = app
        .ensure_admin(admin_password)
        .await
        .map_err(cli::app_error)?
    {
        println!("created user admin with password: {generated}  (shown once; change it after signing in)");
    }
    Ok(app)
}

fn assessment_settings(config: &Config) -> Result<app::assessments::AssessmentSettings> {
    config.assessment.clone().unwrap_or_default().settings()
}

/// `yiyang assess score`: prints the result JSON, or each refused item on a line of its own
/// (in the language of `LANG`) and exits with status 2.
fn assess_score(instrument_id: &str, file: &std::path::Path, config: &Config) -> Result<()> {
    let text = if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
        text
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let answers = match value {
        serde_json::Value::Object(mut map) => match map.remove("answers") {
            Some(serde_json::Value::Object(inner)) if map.is_empty() => inner,
            Some(other) => {
                map.insert("answers".into(), other);
                map
            }
            None => map,
        },
        _ => anyhow::bail!("{}: the answers must be a JSON object", file.display()),
    };
    let settings = assessment_settings(config)?;
    let Some(instrument) = assessment::catalog().get(instrument_id) else {
        anyhow::bail!(
            "unknown instrument {instrument_id:?}; `yiyang assess instruments` lists them"
        );
    };
    let today = app::today(chrono::Utc::now());
    match assessment::score(instrument, &answers, &settings.rules, today) {
        Ok(outcome) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&app::assessments::outcome_json(&outcome))?
            );
            Ok(())
        }
        Err(errors) => {
            let lang = registry::Lang::parse(&std::env::var("LANG").unwrap_or_default());
            for e in &errors {
                eprintln!("{}", e.message(lang));
            }
            std::process::exit(2);
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
    // Open live boards hold their connections; graceful shutdown would wait for them.
    web::ui::end_live_streams();
}
