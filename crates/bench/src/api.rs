//! `yiyang bench api`: audited reads of one elder over HTTP beside `/healthz`, in one run
//! (issue 10).
//!
//! On a scratch database of each backend holding a small demo county: the real router on a
//! local port, the administrator signed in with a bearer token, then `--connections` keep-alive
//! HTTP/1.1 connections sending `GET /healthz` for `--seconds`, then `GET /api/v1/elders/{id}`
//! (each read audited, its row committed before the answer) for as long. The load runs on a
//! thread of its own (one core's worth at most); the server has the process's runtime. Printed:
//! requests per second, p50/p99 latency, the ratio of the two rates, and whether the audit log
//! holds exactly one row per answered read.

use crate::registry::{build, Scratch};
use crate::{demo_database, DemoDb};
use anyhow::{bail, Context, Result};
use app::elders::ElderQuery;
use app::Page;
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Args)]
pub struct ApiArgs {
    /// Seconds of load on each endpoint (after one second of warm-up)
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent keep-alive HTTP/1.1 connections
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Elders in the demo county (the reads go round them)
    #[arg(long, default_value_t = 1000)]
    pub elders: usize,
    #[command(flatten)]
    pub backends: crate::Backends,
    /// Seed of the demo data.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

/// The targets: audited reads per second, and their rate against `/healthz`'s.
const READ_TARGET: f64 = 10_000.0;
const RATIO_TARGET: f64 = 0.6;
const WARM_UP: Duration = Duration::from_secs(1);
/// The elders the reads go round (one list page).
const READ_ELDERS: i64 = 200;

/// What one endpoint answered under load.
struct Load {
    /// Answers in the timed window.
    answered: u64,
    /// Answers in all, warm-up included.
    answered_in_all: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.answered as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

struct Figures {
    backend: &'static str,
    healthz: Load,
    reads: Load,
    audit_rows: i64,
    /// Transactions the audit writer committed during the reads.
    audit_transactions: u64,
}

pub async fn api(args: ApiArgs) -> Result<()> {
    args.backends.check()?;
    if args.seconds == 0 || args.connections == 0 {
        bail!("--seconds and --connections must be at least 1");
    }
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "yiyang bench api: {} s per endpoint, {} connections, {} demo elders, {cpus} CPUs, {} build",
        args.seconds,
        args.connections,
        args.elders,
        build()
    );
    let results = args
        .backends
        .each(async |backend, scratch| measure(backend, scratch, &args).await)
        .await?;
    println!("\n== summary (the server and the load share this machine's {cpus} CPUs)");
    let mut all_pass = true;
    for measured in &results {
        all_pass &= print_figures(&measured.figures);
        measured.print_load();
    }
    if !all_pass {
        println!("(a MISS is a figure below the issue's target, not a failure of the run)");
    }
    Ok(())
}

/// Prints one backend's figures; true when every target is met.
fn print_figures(figures: &Figures) -> bool {
    let verdict = |pass: bool| if pass { "PASS" } else { "MISS" };
    let line = |what: &str, load: &Load, target: &str| {
        println!(
            "{:<9} {:<34} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  {target}",
            figures.backend,
            what,
            load.per_second(),
            load.p50.as_secs_f64() * 1000.0,
            load.p99.as_secs_f64() * 1000.0,
        );
    };
    let reads_pass = figures.reads.per_second() >= READ_TARGET;
    let ratio = figures.reads.per_second() / figures.healthz.per_second().max(1e-9);
    let ratio_pass = ratio >= RATIO_TARGET;
    line("GET /healthz", &figures.healthz, "");
    line(
        "GET /api/v1/elders/{id} (audited)",
        &figures.reads,
        &format!(">= {READ_TARGET:.0}/s {}", verdict(reads_pass)),
    );
    println!(
        "{:<9} {:<34} {ratio:>9.2}  >= {RATIO_TARGET} {}",
        figures.backend,
        "audited reads / healthz",
        verdict(ratio_pass)
    );
    println!(
        "{:<9} {:<34} {:>9} rows for {} answered reads: one each, in {} transactions ({:.1} rows each)",
        figures.backend,
        "audit log",
        figures.audit_rows,
        figures.reads.answered_in_all,
        figures.audit_transactions,
        figures.audit_rows as f64 / figures.audit_transactions.max(1) as f64
    );
    reads_pass && ratio_pass
}

async fn measure(backend: &'static str, scratch: &Scratch, args: &ApiArgs) -> Result<Figures> {
    println!("\n== {backend}: {}", app::redact_url(scratch.url()));
    let DemoDb {
        app,
        store,
        admin_password,
        ..
    } = demo_database(scratch, args.elders, args.seed).await?;
    let admin = app.system_actor("admin").await.map_err(cli::app_error)?;
    let (elders, _) = app
        .list_elders(
            &admin,
            &ElderQuery::default(),
            Page::new(Some(1), Some(READ_ELDERS)),
        )
        .await
        .map_err(cli::app_error)?;
    if elders.is_empty() {
        bail!("the demo county has no elders to read");
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let router = web::router(web::WebState::new(app.clone()));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let token = sign_in(address, &admin_password).await?;
    let audited_before = elder_reads_audited(&store).await?;
    let (transactions_before, _) = app.audit_commits();

    let healthz = vec![get(address, "/healthz", None)];
    let reads: Vec<Vec<u8>> = elders
        .iter()
        .map(|e| get(address, &format!("/api/v1/elders/{}", e.id), Some(&token)))
        .collect();
    let duration = Duration::from_secs(args.seconds);
    let healthz = drive(address, healthz, args.connections, duration).await?;
    println!("{backend}: GET /healthz {:.0} req/s", healthz.per_second());
    let reads = drive(address, reads, args.connections, duration).await?;
    println!(
        "{backend}: GET /api/v1/elders/{{id}} {:.0} req/s",
        reads.per_second()
    );
    server.abort();

    let audit_transactions = app.audit_commits().0 - transactions_before;
    let audit_rows = elder_reads_audited(&store).await? - audited_before;
    app.close().await;
    store.close().await;
    if audit_rows != reads.answered_in_all as i64 {
        bail!(
            "{backend}: {} reads were answered but the audit log holds {audit_rows} rows of them",
            reads.answered_in_all
        );
    }
    Ok(Figures {
        backend,
        healthz,
        reads,
        audit_rows,
        audit_transactions,
    })
}

async fn elder_reads_audited(store: &store::Store) -> Result<i64> {
    let (count,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = '{}'",
        access::AuditAction::ElderRead.code()
    ))
    .fetch_one(store.pool())
    .await?;
    Ok(count)
}

fn get(address: SocketAddr, path: &str, token: Option<&str>) -> Vec<u8> {
    let authorization = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    format!("GET {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}\r\n").into_bytes()
}

/// `POST /api/v1/auth/login` as the administrator; the bearer token.
async fn sign_in(address: SocketAddr, password: &str) -> Result<String> {
    let body = serde_json::json!({"username": "admin", "password": password}).to_string();
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut connection = Connection::open(address).await?;
    let (status, reply) = connection.exchange(request.as_bytes()).await?;
    if status != 200 {
        bail!(
            "signing in answered {status}: {}",
            String::from_utf8_lossy(&reply)
        );
    }
    let value: serde_json::Value = serde_json::from_slice(&reply)?;
    value["token"]
        .as_str()
        .map(str::to_string)
        .context("the sign-in's answer has no token")
}

/// `connections` keep-alive connections sending `requests` in turn for one second of warm-up
/// and then `duration`, on a thread of their own; every answer must be 200.
async fn drive(
    address: SocketAddr,
    requests: Vec<Vec<u8>>,
    connections: usize,
    duration: Duration,
) -> Result<Load> {
    let requests = Arc::new(requests);
    let load = std::thread::spawn(move || -> Result<Load> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let started = Instant::now();
            let measured_from = started + WARM_UP;
            let until = measured_from + duration;
            let tasks: Vec<_> = (0..connections)
                .map(|c| {
                    let requests = requests.clone();
                    tokio::spawn(async move {
                        let mut connection = Connection::open(address).await?;
                        let mut latencies = Vec::new();
                        let mut in_all = 0u64;
                        let mut k = c;
                        loop {
                            let sent = Instant::now();
                            if sent >= until {
                                break;
                            }
                            let request = &requests[k % requests.len()];
                            k += connections;
                            let (status, reply) = connection.exchange(request).await?;
                            if status != 200 {
                                bail!(
                                    "answered {status}: {}",
                                    String::from_utf8_lossy(&reply[..reply.len().min(300)])
                                );
                            }
                            in_all += 1;
                            if sent >= measured_from {
                                latencies.push(sent.elapsed());
                            }
                        }
                        Ok((in_all, latencies))
                    })
                })
                .collect();
            let mut latencies = Vec::new();
            let mut answered_in_all = 0;
            for task in tasks {
                let (in_all, mine) = task.await??;
                answered_in_all += in_all;
                latencies.extend(mine);
            }
            let elapsed = started.elapsed().saturating_sub(WARM_UP);
            latencies.sort();
            let at = |q: f64| {
                let n = latencies.len().max(1);
                latencies
                    .get(((n as f64 * q).ceil() as usize).clamp(1, n) - 1)
                    .copied()
                    .unwrap_or_default()
            };
            Ok(Load {
                answered: latencies.len() as u64,
                answered_in_all,
                elapsed,
                p50: at(0.50),
                p99: at(0.99),
            })
        })
    });
    tokio::task::spawn_blocking(move || load.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the load thread panicked"))?
}

/// One keep-alive HTTP/1.1 connection: a request out, its answer (status, Content-Length body)
/// back.
struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Connection {
    async fn open(address: SocketAddr) -> Result<Connection> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buffer: Vec::with_capacity(4096),
        })
    }

    async fn exchange(&mut self, request: &[u8]) -> Result<(u16, Vec<u8>)> {
        self.stream.write_all(request).await?;
        self.buffer.clear();
        let head = loop {
            if let Some(head) = ResponseHead::parse(&self.buffer)? {
                break head;
            }
            self.fill().await?;
        };
        while self.buffer.len() < head.end + head.length {
            self.fill().await?;
        }
        Ok((head.status, self.buffer[head.end..][..head.length].to_vec()))
    }

    async fn fill(&mut self) -> Result<()> {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

/// The head of an HTTP/1.1 answer: where it ends, the status and the body's Content-Length
/// (the only kind of body the API sends).
pub(crate) struct ResponseHead {
    pub end: usize,
    pub status: u16,
    pub length: usize,
}

impl ResponseHead {
    /// The head at the start of `buffer`; `None` while it has not all arrived.
    pub(crate) fn parse(buffer: &[u8]) -> Result<Option<ResponseHead>> {
        let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Ok(None);
        };
        let head = String::from_utf8_lossy(&buffer[..at]);
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("an HTTP status line")?;
        let length = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .context("a Content-Length header")?;
        Ok(Some(ResponseHead {
            end: at + 4,
            status,
            length,
        }))
    }
}
