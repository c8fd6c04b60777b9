//! `yiyang bench registry`: figures for the speed and size targets of the spine (issue 2).
//!
//! On a scratch database of each backend: the time to generate the demo region, latencies of
//! identity-number lookups, name and pinyin-initials prefix searches and list pages through the
//! use cases the API calls (`App::list_elders`, which also appends the audit row), and the
//! resident memory of the real server binary, idle after one request. Each figure is printed
//! next to its target.

use crate::{demo_database, DemoDb};
use anyhow::{bail, Context, Result};
use app::elders::ElderQuery;
use app::{Actor, App, Page};
use clap::Args;
use cli::Progress;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct RegistryArgs {
    /// Elders to generate for the measurement [default: 1000000]
    #[arg(long, default_value_t = 1_000_000)]
    pub elders: usize,
    #[command(flatten)]
    pub backends: crate::Backends,
    /// Timed queries per measurement [default: 1000]
    #[arg(long, default_value_t = 1000)]
    pub queries: usize,
    /// Seed of the demo data and of the query mix.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

/// Untimed queries before each measurement, so that the first figures are not of a cold
/// connection.
const WARM_UP: usize = 20;
/// Rows per list page, as the API's default.
const PER_PAGE: i64 = 20;
/// The deep page of a list: offset 9,980 at 20 per page (or the last page of a smaller scope).
const DEEP_PAGE: i64 = 500;
/// How long the server's resident memory must stay unchanged to count as idle.
const IDLE_FOR: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy)]
enum Target {
    /// p99 latency below this.
    P99(Duration),
    /// One duration below this.
    Below(Duration),
    /// Bytes below this.
    Bytes(u64),
    None,
}

#[derive(Debug, Clone)]
enum Value {
    Latencies(Stats),
    Time(Duration),
    Bytes(u64),
}

#[derive(Debug, Clone, Copy)]
struct Stats {
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Stats {
    fn of(mut samples: Vec<Duration>) -> Stats {
        samples.sort();
        let n = samples.len().max(1);
        let at = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
        Stats {
            p50: at(0.50),
            p99: at(0.99),
            max: *samples.last().unwrap_or(&Duration::ZERO),
        }
    }
}

struct Row {
    backend: &'static str,
    what: String,
    value: Value,
    target: Target,
}

impl Row {
    fn pass(&self) -> Option<bool> {
        match (self.target, &self.value) {
            (Target::P99(limit), Value::Latencies(s)) => Some(s.p99 < limit),
            (Target::Below(limit), Value::Time(t)) => Some(*t < limit),
            (Target::Bytes(limit), Value::Bytes(b)) => Some(*b < limit),
            _ => None,
        }
    }

    fn cells(&self) -> [String; 7] {
        let (p50, p99, max) = match &self.value {
            Value::Latencies(s) => (ms(s.p50), ms(s.p99), ms(s.max)),
            Value::Time(t) => (String::new(), String::new(), seconds(*t)),
            Value::Bytes(b) => (String::new(), String::new(), mib(*b)),
        };
        let target = match self.target {
            Target::P99(d) => format!("p99 < {}", ms(d)),
            Target::Below(d) => format!("< {}", seconds(d)),
            Target::Bytes(b) => format!("< {}", mib(b)),
            Target::None => String::new(),
        };
        let verdict = match self.pass() {
            Some(true) => "PASS",
            Some(false) => "MISS",
            None => "",
        };
        [
            self.backend.to_string(),
            self.what.clone(),
            p50,
            p99,
            max,
            target,
            verdict.to_string(),
        ]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

const HEADER: [&str; 7] = [
    "backend",
    "measurement",
    "p50",
    "p99",
    "max/value",
    "target",
    "",
];

fn print_table(rows: &[Row]) {
    let cells: Vec<[String; 7]> = rows.iter().map(Row::cells).collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width - cell.chars().count();
            // Text columns to the left, figures to the right.
            if (2..=4).contains(&i) {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            }
            out.push_str("  ");
        }
        println!("{}", out.trim_end());
    };
    line(&HEADER.map(String::from));
    line(&widths.map(|w| "-".repeat(w)));
    for row in &cells {
        line(row);
    }
}

pub async fn registry(args: RegistryArgs) -> Result<()> {
    args.backends.check()?;
    if args.queries == 0 {
        bail!("--queries must be at least 1");
    }
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "yiyang bench registry: {} elders, seed {}, {} timed queries per measurement, {cpus} CPUs, {} build",
        args.elders,
        args.seed,
        args.queries,
        build()
    );
    let mut rows = Vec::new();
    let measured = args
        .backends
        .each(async |backend, scratch| measure(backend, scratch, &args, &mut rows).await)
        .await?;
    println!();
    print_table(&rows);
    for measured in &measured {
        measured.print_load();
    }
    Ok(())
}

/// The kind of build, printed with every figure.
pub(crate) fn build() -> &'static str {
    if cfg!(debug_assertions) {
        "DEBUG (figures not representative)"
    } else {
        "release"
    }
}

pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A database that exists only for the benchmark.
pub(crate) enum Scratch {
    Sqlite {
        dir: PathBuf,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl Scratch {
    pub(crate) fn sqlite() -> Result<Scratch> {
        let dir =
            std::env::temp_dir().join(format!("yiyang-bench-{}", uuid_like(&mut rand::rng())));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.join(cli::DATABASE_FILE).display()
        );
        Ok(Scratch::Sqlite { dir, url })
    }

    pub(crate) async fn postgres(admin_url: &str) -> Result<Scratch> {
        if app::backend_of(admin_url) != Some(store::Backend::Postgres) {
            bail!(
                "--postgres-url must be a postgres:// URL, not {}",
                app::redact_url(admin_url)
            );
        }
        let name = format!("yiyang_bench_{}", uuid_like(&mut rand::rng()));
        let admin = admin_pool(admin_url).await?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .with_context(|| format!("creating database {name}"))?;
        admin.close().await;
        Ok(Scratch::Postgres {
            url: replace_database(admin_url, &name),
            admin_url: admin_url.to_string(),
            name,
        })
    }

    pub(crate) fn url(&self) -> &str {
        match self {
            Scratch::Sqlite { url, .. } | Scratch::Postgres { url, .. } => url,
        }
    }

    /// `serve` arguments that open this database.
    fn serve_args(&self) -> Vec<String> {
        match self {
            Scratch::Sqlite { dir, .. } => vec!["--data-dir".into(), dir.display().to_string()],
            Scratch::Postgres { url, .. } => vec!["--database-url".into(), url.clone()],
        }
    }

    pub(crate) async fn finish(&self, keep: bool) {
        if keep {
            println!("kept scratch database: {}", app::redact_url(self.url()));
            return;
        }
        match self {
            Scratch::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Scratch::Postgres {
                admin_url, name, ..
            } => match admin_pool(admin_url).await {
                Ok(admin) => {
                    if let Err(e) =
                        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&admin)
                            .await
                    {
                        eprintln!("dropping scratch database {name}: {e}");
                    }
                    admin.close().await;
                }
                Err(e) => eprintln!("dropping scratch database {name}: {e}"),
            },
        }
    }
}

/// A one-connection pool on the server's admin database, for CREATE/DROP DATABASE only: it is
/// never migrated.
async fn admin_pool(url: &str) -> Result<sqlx::AnyPool> {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .with_context(|| format!("connecting to {}", app::redact_url(url)))
}

/// 32 lowercase hex digits: unique enough for a scratch name, valid in an SQL identifier.
pub(crate) fn uuid_like(rng: &mut impl Rng) -> String {
    (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// `postgres://u@h:p/postgres?x` → `postgres://u@h:p/NAME?x`
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| i + scheme_end);
    format!("{}/{name}{query}", &base[..host_end])
}

async fn measure(
    backend: &'static str,
    scratch: &Scratch,
    args: &RegistryArgs,
    rows: &mut Vec<Row>,
) -> Result<()> {
    println!("\n== {backend}: {}", app::redact_url(scratch.url()));
    let DemoDb {
        app,
        store,
        authorized,
        admin_password,
        summary,
        generation,
    } = demo_database(scratch, args.elders, args.seed).await?;
    let mut report = |row: Row| {
        let pass = match row.pass() {
            Some(true) => " PASS",
            Some(false) => " MISS",
            None => "",
        };
        let cells = row.cells();
        println!(
            "{}: {}  {} {} {} {}{pass}",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
        );
        rows.push(row);
    };

    report(Row {
        backend,
        what: format!(
            "demo generation: {} elders, {} organizations, {} regions, {} users",
            summary.elders, summary.organizations, summary.regions, summary.users
        ),
        value: Value::Time(generation),
        target: if summary.elders >= 1_000_000 {
            Target::Below(Duration::from_secs(60))
        } else {
            Target::None
        },
    });
    let started = Instant::now();
    let settled = settle(&store).await?;
    println!(
        "{backend}: settled after generation ({settled}) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Scratch::Sqlite { dir, .. } = scratch {
        let size = database_size(dir);
        report(Row {
            backend,
            what: "database file size (with WAL)".into(),
            value: Value::Bytes(size),
            target: Target::None,
        });
    }

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed);
    let samples = sample_elders(&store, &mut rng, args.queries).await?;
    if samples.is_empty() {
        bail!("no elders to query");
    }
    let admin = app
        .system_actor("admin")
        .await
        .map_err(anyhow::Error::msg)?;
    let supervisor = app
        .system_actor("supervisor")
        .await
        .map_err(anyhow::Error::msg)?;
    let doctor = app
        .system_actor("doctor")
        .await
        .map_err(anyhow::Error::msg)?;
    let lookup_ms = Duration::from_millis(2);
    let search_ms = Duration::from_millis(20);
    let list_ms = Duration::from_millis(30);

    // Lookups by a full identity number.
    let ids: Vec<String> = pick(&samples, &mut rng, args.queries, |s| s.id_number.clone());
    let stats = time_queries("lookup", &ids, |id| {
        let (app, admin) = (&app, &admin);
        async move {
            let (items, total) = list(app, admin, Some(id.clone()), 1).await?;
            if total != 1 || items != 1 {
                bail!("identity number {id} found {total} records");
            }
            Ok(())
        }
    })
    .await?;
    report(Row {
        backend,
        what: "lookup by identity number (App::list_elders q=<18 digits>, admin, audited)".into(),
        value: Value::Latencies(stats),
        target: Target::P99(lookup_ms),
    });
    let stats = time_queries("lookup", &ids, |id| {
        let store = &store;
        let authorized = &authorized;
        async move {
            let mut conn = store.acquire().await?;
            store::elders::id_by_identity_number(&mut conn, authorized, &id)
                .await?
                .context("identity number not found")?;
            Ok(())
        }
    })
    .await?;
    report(Row {
        backend,
        what: "lookup by identity number (store::elders::id_by_identity_number)".into(),
        value: Value::Latencies(stats),
        target: Target::P99(lookup_ms),
    });

    // Prefix searches as people type them: the start of a generated name, from the surname
    // alone to the whole name, and two or more of its pinyin initials. One initial matches a
    // tenth of everyone; it is measured too, for the widest scope, as the worst case.
    let names: Vec<String> = pick(&samples, &mut rng, args.queries, |s| s.name.clone())
        .into_iter()
        .map(|n| random_prefix(&n, 1, &mut rng))
        .collect();
    let initials: Vec<String> = pick(&samples, &mut rng, args.queries, |s| s.initials.clone())
        .into_iter()
        .map(|n| random_prefix(&n, 2, &mut rng))
        .collect();
    let one_initial: Vec<String> = pick(&samples, &mut rng, args.queries, |s| s.initials.clone())
        .into_iter()
        .map(|n| n.chars().take(1).collect())
        .collect();
    let searches = [
        ("name prefix", &names, &admin, "admin"),
        ("pinyin initials (2+ letters)", &initials, &admin, "admin"),
        ("pinyin initials (1 letter)", &one_initial, &admin, "admin"),
        ("name prefix", &names, &supervisor, "supervisor"),
        (
            "pinyin initials (2+ letters)",
            &initials,
            &supervisor,
            "supervisor",
        ),
        ("name prefix", &names, &doctor, "doctor"),
        ("pinyin initials (2+ letters)", &initials, &doctor, "doctor"),
    ];
    for (kind, terms, actor, label) in searches {
        let stats = time_queries("search", terms, |q| {
            let app = &app;
            async move { list(app, actor, Some(q), 1).await.map(|_| ()) }
        })
        .await?;
        report(Row {
            backend,
            what: format!("{kind} search, page 1 and total, {label}"),
            value: Value::Latencies(stats),
            target: Target::P99(search_ms),
        });
    }

    // List pages, unfiltered: the first and a deep one, in each scope.
    let repeats = (args.queries / 10).max(10);
    for (label, actor) in [
        ("admin", &admin),
        ("supervisor", &supervisor),
        ("doctor", &doctor),
    ] {
        let (_, total) = list(&app, actor, None, 1).await?;
        let last = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        for page in [1, DEEP_PAGE.min(last)] {
            let pages = vec![page; repeats];
            let stats = time_queries("list", &pages, |page| {
                let app = &app;
                async move { list(app, actor, None, page).await.map(|_| ()) }
            })
            .await?;
            report(Row {
                backend,
                what: format!("list page {page} ({PER_PAGE} of {total}), {label}, ×{repeats}"),
                value: Value::Latencies(stats),
                target: Target::P99(list_ms),
            });
        }
    }
    store.close().await;

    // The real server on this database, idle after one request.
    let (rss, peak) = server_memory(scratch, &admin_password).await?;
    report(Row {
        backend,
        what: "server resident memory (VmRSS), idle after sign-in and one list page".into(),
        value: Value::Bytes(rss),
        target: Target::Bytes(60 * 1024 * 1024),
    });
    report(Row {
        backend,
        what: "server peak resident memory (VmHWM)".into(),
        value: Value::Bytes(peak),
        target: Target::None,
    });
    Ok(())
}

/// Brings the database to the state a running server sees once the load is over, so that the
/// figures measure queries rather than the tail of the load: on SQLite the write-ahead log is
/// checkpointed and the file flushed (otherwise the first checkpoints of the measurement flush
/// a gigabyte of freshly written pages); on PostgreSQL the table is vacuumed and analyzed, as
/// autovacuum would do within minutes (and must be done by hand where it is off).
async fn settle(store: &store::Store) -> Result<&'static str> {
    let pool = store.pool();
    Ok(match store.backend() {
        store::Backend::Sqlite => {
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(pool)
                .await?;
            if busy != 0 {
                bail!("the write-ahead log could not be checkpointed");
            }
            "WAL checkpointed and synced"
        }
        store::Backend::Postgres => {
            // One statement per call: VACUUM refuses the transaction a batch would run in.
            for statement in ["VACUUM (ANALYZE) elders", "CHECKPOINT"] {
                sqlx::raw_sql(statement).execute(pool).await?;
            }
            "VACUUM (ANALYZE) elders, CHECKPOINT"
        }
    })
}

async fn list(app: &App, actor: &Actor, q: Option<String>, page: i64) -> Result<(usize, i64)> {
    let query = ElderQuery {
        q,
        ..Default::default()
    };
    let (items, total) = app
        .list_elders(actor, &query, Page::new(Some(page), Some(PER_PAGE)))
        .await
        .map_err(anyhow::Error::msg)?;
    Ok((items.len(), total))
}

/// Runs `query` once per input (after a few untimed ones) and returns the latencies.
async fn time_queries<T, F, Fut>(label: &'static str, inputs: &[T], query: F) -> Result<Stats>
where
    T: Clone,
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    for input in inputs.iter().take(WARM_UP) {
        query(input.clone()).await?;
    }
    let bar = Progress::new(label, inputs.len() as u64);
    let mut samples = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let started = Instant::now();
        query(input.clone()).await?;
        samples.push(started.elapsed());
        bar.set(i as u64 + 1);
    }
    bar.finish();
    Ok(Stats::of(samples))
}

struct Sample {
    id_number: String,
    name: String,
    initials: String,
}

/// About `count` stored elders from all over the table: runs of 50 at random offsets.
async fn sample_elders(
    store: &store::Store,
    rng: &mut impl Rng,
    count: usize,
) -> Result<Vec<Sample>> {
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM elders")
        .fetch_one(store.pool())
        .await?;
    let mut samples = Vec::with_capacity(count);
    let runs = count.div_ceil(50).max(1);
    for _ in 0..runs {
        let offset = rng.random_range(0..total.max(1));
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id_number, name, name_initials FROM elders ORDER BY id LIMIT 50 OFFSET $1",
        )
        .bind(offset)
        .fetch_all(store.pool())
        .await?;
        samples.extend(rows.into_iter().map(|(id_number, name, initials)| Sample {
            id_number,
            name,
            initials,
        }));
    }
    Ok(samples)
}

/// `count` values drawn from the samples in random order (repeating when there are fewer).
fn pick<T>(
    samples: &[Sample],
    rng: &mut impl Rng,
    count: usize,
    value: impl Fn(&Sample) -> T,
) -> Vec<T> {
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.shuffle(rng);
    order
        .into_iter()
        .cycle()
        .take(count)
        .map(|i| value(&samples[i]))
        .collect()
}

/// The first `min..=all` characters of `text` (all of a shorter text), uniformly.
fn random_prefix(text: &str, min: usize, rng: &mut impl Rng) -> String {
    let chars = text.chars().count().max(1);
    let take = rng.random_range(min.min(chars)..=chars);
    text.chars().take(take).collect()
}

fn database_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Starts `yiyang serve` on the scratch database, signs in and lists one page, waits until
/// its resident memory has not changed for [`IDLE_FOR`], and returns (VmRSS, VmHWM) in bytes.
async fn server_memory(scratch: &Scratch, admin_password: &str) -> Result<(u64, u64)> {
    let exe = std::env::current_exe().context("locating the yiyang binary")?;
    let mut command = Command::new(exe);
    command
        .arg("--config")
        .arg("/dev/null")
        .arg("serve")
        .args(scratch.serve_args())
        .args(["--listen", "127.0.0.1:0"])
        .env("YIYANG_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    // The server must see only what this command line says.
    for (key, _) in std::env::vars() {
        if key.starts_with("YIYANG_") && key != "YIYANG_LOG" {
            command.env_remove(key);
        }
    }
    let mut server = Server(command.spawn().context("starting yiyang serve")?);
    let stdout = server.0.stdout.take().context("server stdout")?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            if let Some(address) = line.strip_prefix("yiyang listening on http://") {
                let _ = sender.send(address.trim().to_string());
            }
        }
    });
    let address =
        tokio::task::spawn_blocking(move || receiver.recv_timeout(Duration::from_secs(120)))
            .await?
            .context("the server did not start listening within 120 s")?;
    let pid = server.0.id();

    let body = format!(
        "{{\"username\":\"admin\",\"password\":{}}}",
        json_string(admin_password)
    );
    let (status, reply) = http(&address, "POST", "/api/v1/auth/login", None, Some(&body)).await?;
    if status != 200 {
        bail!("server login answered {status}: {reply}");
    }
    let token = json_field(&reply, "token").context("login reply has a token")?;
    let (status, reply) = http(
        &address,
        "GET",
        "/api/v1/elders?page=1&per_page=20",
        Some(&token),
        None,
    )
    .await?;
    if status != 200 {
        bail!("server list answered {status}: {reply}");
    }

    let mut last = memory(pid)?;
    let mut stable_since = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(30);
    while stable_since.elapsed() < IDLE_FOR && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = memory(pid)?;
        if now.0 != last.0 {
            stable_since = Instant::now();
        }
        last = now;
    }
    drop(server);
    Ok(last)
}

/// The child server process, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// (VmRSS, VmHWM) of a process in bytes, from /proc/PID/status.
fn memory(pid: u32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .with_context(|| format!("{name} in /proc/{pid}/status"))?;
        let kib: u64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("parsing {line}"))?;
        Ok(kib * 1024)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// One HTTP/1.1 request on a fresh connection; returns the status and the body.
async fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String)> {
    let address = address.to_string();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or(""));
    tokio::task::spawn_blocking(move || -> Result<(u16, String)> {
        let mut stream = std::net::TcpStream::connect(&address)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.write_all(request.as_bytes())?;
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply)?;
        let reply = String::from_utf8_lossy(&reply).to_string();
        let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("an HTTP status line")?;
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_string()
        };
        Ok((status, body))
    })
    .await?
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

fn json_field(body: &str, field: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value.get(field)?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_sorted_samples() {
        let samples: Vec<Duration> = (1..=1000).rev().map(Duration::from_micros).collect();
        let stats = Stats::of(samples);
        assert_eq!(stats.p50, Duration::from_micros(500));
        assert_eq!(stats.p99, Duration::from_micros(990));
        assert_eq!(stats.max, Duration::from_micros(1000));
        let one = Stats::of(vec![Duration::from_millis(3)]);
        assert_eq!(
            (one.p50, one.p99),
            (Duration::from_millis(3), Duration::from_millis(3))
        );
    }

    #[test]
    fn scratch_database_names_replace_the_admin_database() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "b"),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            replace_database("postgres://u:p@h/postgres?sslmode=disable", "b"),
            "postgres://u:p@h/b?sslmode=disable"
        );
    }

    #[test]
    fn rows_pass_or_miss_their_target() {
        let row = |value, target| Row {
            backend: "sqlite",
            what: String::new(),
            value,
            target,
        };
        let fast = Stats::of(vec![Duration::from_micros(500); 10]);
        assert_eq!(
            row(
                Value::Latencies(fast),
                Target::P99(Duration::from_millis(2))
            )
            .pass(),
            Some(true)
        );
        assert_eq!(
            row(Value::Bytes(70 << 20), Target::Bytes(60 << 20)).pass(),
            Some(false)
        );
        assert_eq!(row(Value::Bytes(1), Target::None).pass(), None);
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk("5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n"), "hello!");
    }
}

#[derive(Args)]
pub struct AssessArgs {
    /// Elders in the demo county the measurement runs on [default: 20000]
    #[arg(long, default_value_t = 20_000)]
    pub elders: usize,
    /// Also measure on this PostgreSQL server (a scratch database is created and dropped).
    #[arg(long, env = "YIYANG_BENCH_POSTGRES_URL")]
    pub postgres_url: Option<String>,
    /// Timed calls per measurement [default: 500]
    #[arg(long, default_value_t = 500)]
    pub queries: usize,
    /// Seed of the demo data and of the answers.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

/// Random valid answers for `instrument`: every item one of its options, every required input
/// inside its range.
fn random_answers(
    instrument: &assessment::Instrument,
    rng: &mut impl Rng,
) -> serde_json::Map<String, serde_json::Value> {
    let mut answers = serde_json::Map::new();
    for item in &instrument.items {
        if !item.required {
            continue;
        }
        let option = &item.options[rng.random_range(0..item.options.len())];
        answers.insert(item.id.clone(), option.value.clone());
    }
    if instrument.id == "mna_sf" {
        answers.insert("F1_bmi".into(), rng.random_range(0..=3).into());
    }
    for input in instrument.inputs.iter().filter(|i| i.required) {
        let value: serde_json::Value = match &input.kind {
            assessment::InputKind::Integer { min, max } => {
                rng.random_range((*min).max(60)..=(*max).min(150)).into()
            }
            assessment::InputKind::Decimal { min, max, .. } => {
                ((rng.random_range(*min..*max) * 10.0).round() / 10.0).into()
            }
            assessment::InputKind::Bool => rng.random_bool(0.5).into(),
            assessment::InputKind::Choice(choices) => {
                choices[rng.random_range(0..choices.len())].into()
            }
            assessment::InputKind::Text { .. } => "11010519491231002X".into(),
        };
        answers.insert(input.name.to_string(), value);
    }
    answers
}

/// `yiyang bench assess`: scoring time of every instrument, and the assessment use cases
/// (sign, confirm, an elder's history, the worklist, the counts) on a demo county.
pub async fn assess(args: AssessArgs) -> Result<()> {
    if args.queries == 0 {
        bail!("--queries must be at least 1");
    }
    println!(
        "yiyang bench assess: {} elders, seed {}, {} timed calls per measurement, {} build",
        args.elders,
        args.seed,
        args.queries,
        build()
    );
    let mut rows = Vec::new();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed);
    let rules = assessment::Rules::default();
    let today = app::today(chrono::Utc::now());
    for instrument in &assessment::catalog().instruments {
        let inputs: Vec<_> = (0..args.queries.max(1000))
            .map(|_| random_answers(instrument, &mut rng))
            .collect();
        let mut samples = Vec::with_capacity(inputs.len());
        for answers in &inputs {
            let started = Instant::now();
            let scored = assessment::score(instrument, answers, &rules, today);
            samples.push(started.elapsed());
            if let Err(errors) = scored {
                if instrument.id != "bp_grade_cn" {
                    bail!("{}: random answers refused: {errors:?}", instrument.id);
                }
            }
        }
        rows.push(Row {
            backend: "-",
            what: format!("score {}", instrument.id),
            value: Value::Latencies(Stats::of(samples)),
            target: Target::P99(Duration::from_millis(1)),
        });
    }
    let mut scratches = vec![("sqlite", Scratch::sqlite()?)];
    if let Some(url) = &args.postgres_url {
        scratches.push(("postgres", Scratch::postgres(url).await?));
    }
    for (backend, scratch) in &scratches {
        let outcome = measure_assessments(backend, scratch, &args, &mut rng, &mut rows).await;
        scratch.finish(false).await;
        outcome?;
    }
    println!();
    print_table(&rows);
    println!("load average (1, 5, 15 min): {}", load_average());
    Ok(())
}

async fn measure_assessments(
    backend: &'static str,
    scratch: &Scratch,
    args: &AssessArgs,
    rng: &mut impl Rng,
    rows: &mut Vec<Row>,
) -> Result<()> {
    println!("\n== {backend}: {}", app::redact_url(scratch.url()));
    let DemoDb { app, store, .. } = demo_database(scratch, args.elders, args.seed).await?;
    settle(&store).await?;
    let actor = |name: &'static str| {
        let app = app.clone();
        async move { app.system_actor(name).await.map_err(anyhow::Error::msg) }
    };
    let (assessor, second, supervisor) = (
        actor("assessor").await?,
        actor("assessor2").await?,
        actor("supervisor").await?,
    );
    // Distinct elders: the warm-up signs for the first few, which are then signed again
    // (a second assessment the same day is allowed), and every one is confirmed once.
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM elders")
        .fetch_one(store.pool())
        .await?;
    let offset = rng.random_range(0..(total - args.queries as i64).max(1));
    let elders: Vec<String> =
        sqlx::query_scalar("SELECT id FROM elders ORDER BY id_number LIMIT $1 OFFSET $2")
            .bind(args.queries as i64)
            .bind(offset)
            .fetch_all(store.pool())
            .await?;
    let gbt = assessment::catalog()
        .get("gbt42195_2022")
        .context("GB/T 42195 in the catalogue")?;
    let inputs: Vec<(String, serde_json::Map<String, serde_json::Value>)> = elders
        .iter()
        .map(|id| (id.clone(), random_answers(gbt, rng)))
        .collect();
    let signed = std::sync::Mutex::new(Vec::new());
    let stats = time_queries("sign GB/T 42195", &inputs, |(elder, answers)| {
        let (app, assessor, signed) = (&app, &assessor, &signed);
        async move {
            let input = app::assessments::AssessmentInput {
                instrument_id: Some("gbt42195_2022".into()),
                answers,
                place: Some("centre".into()),
                ..Default::default()
            };
            let (id, _) = app
                .record_assessment(assessor, &elder, &input)
                .await
                .map_err(anyhow::Error::msg)?;
            signed.lock().expect("lock").push(id);
            Ok(())
        }
    })
    .await?;
    let mut add = |what: &str, stats: Stats, limit_ms: u64| {
        rows.push(Row {
            backend,
            what: what.to_string(),
            value: Value::Latencies(stats),
            target: Target::P99(Duration::from_millis(limit_ms)),
        })
    };
    add("sign an assessment (score, store, audit)", stats, 50);
    // Each assessment can be confirmed once, so this loop has no warm-up (signing warmed up).
    let ids = signed.into_inner().expect("lock");
    let bar = Progress::new("confirm", ids.len() as u64);
    let mut samples = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let started = Instant::now();
        app.confirm_assessment(&second, id)
            .await
            .map_err(anyhow::Error::msg)?;
        samples.push(started.elapsed());
        bar.set(i as u64 + 1);
    }
    bar.finish();
    let stats = Stats::of(samples);
    add("confirm (second assessor; levels recomputed)", stats, 50);
    let stats = time_queries("elder history", &elders, |elder| {
        let (app, assessor) = (&app, &assessor);
        async move {
            app.elder_assessments(assessor, &elder)
                .await
                .map(|_| ())
                .map_err(anyhow::Error::msg)
        }
    })
    .await?;
    add("an elder's assessments and levels", stats, 20);
    let repeat: Vec<usize> = (0..args.queries.min(200)).collect();
    let stats = time_queries("worklist", &repeat, |_| {
        let (app, assessor) = (&app, &assessor);
        async move {
            app.assessment_worklist(assessor, 30, app::Page::default())
                .await
                .map(|_| ())
                .map_err(anyhow::Error::msg)
        }
    })
    .await?;
    add("assessor worklist, county-wide", stats, 100);
    let today = app::today(app.now());
    let stats = time_queries("counts", &repeat, |_| {
        let (app, supervisor) = (&app, &supervisor);
        async move {
            app.assessment_counts(supervisor, today - chrono::Duration::days(365), today, None)
                .await
                .map(|_| ())
                .map_err(anyhow::Error::msg)
        }
    })
    .await?;
    add("assessment counts, 12 months, county", stats, 100);
    Ok(())
}
