//! `yiyang bench ingest`: figures for the ingest targets of remote monitoring (issue 4).
//!
//! On a scratch database of each backend, with a small demo registry and `--devices` devices
//! bound to elders:
//! 1. MQTT end to end: the real subscriber (`mqtt::run_subscriber`) in this process against the
//!    broker, a publisher sending QoS 1 payloads of `--batch` readings; readings stored per
//!    second from the first publish to the last commit.
//! 2. Alert latency under that load: one payload in `--alert-every` carries an abnormal reading
//!    for an elder without an open alert; from its publish to the alert's live notice (sent
//!    after the commit).
//! 3. HTTP: the real router on a local port, `POST /api/v1/readings` of `--http-batch` readings
//!    from `--connections` keep-alive connections, each signed by a device credential.
//! 4. Raw storage: the same kind of rows written straight into the `readings` table, through
//!    the store and through the backend's native driver at its fastest, for the ceiling the
//!    pipeline is compared with.
//!
//! Every measurement starts from an empty `readings` table, and every device's readings move
//! forward in time, as in the field.

use crate::registry::{build, uuid_like, Scratch};
use crate::{demo_database, DemoDb};
use anyhow::{bail, Context, Result};
use app::App;
use chrono::{DateTime, Utc};
use clap::Args;
use cli::Progress;
use monitoring::{DeviceKind, Values};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use simulator::{self as simulate, Profile, SimDevice};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::monitoring::ReadingRow;

#[derive(Args)]
pub struct IngestArgs {
    /// Readings per measurement (MQTT, HTTP and each raw insert)
    #[arg(long, default_value_t = 1_000_000)]
    pub readings: usize,
    /// Devices bound to elders
    #[arg(long, default_value_t = 1000)]
    pub devices: usize,
    /// Readings per MQTT payload (a device's or gateway's batch)
    #[arg(long, default_value_t = 50)]
    pub batch: usize,
    /// Readings per HTTP request
    #[arg(long, default_value_t = 5000)]
    pub http_batch: usize,
    /// Concurrent HTTP keep-alive connections
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// One MQTT payload in this many carries an abnormal reading that opens an alert; 0: none
    ///
    #[arg(long, default_value_t = 200)]
    pub alert_every: usize,
    /// MQTT payloads published but not yet stored, at most. Mosquitto queues at most 1,000
    /// messages per subscriber by default and drops the rest; a smaller window also keeps the
    /// queue ahead of an alert short
    #[arg(long, default_value_t = 100)]
    pub window: usize,
    /// Elders in the demo registry (at least --devices)
    #[arg(long, default_value_t = 2000)]
    pub elders: usize,
    /// The MQTT broker, with yiyang's broker account (`mqtt://yiyang:PASSWORD@host:port`);
    /// by default a private Mosquitto started from `deploy/mosquitto/start.sh` for the run
    #[arg(long)]
    pub mqtt_url: Option<String>,
    #[command(flatten)]
    pub backends: crate::Backends,
    /// Seed of the registry and the readings.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

/// The targets of the issue, on SQLite.
const MQTT_TARGET: f64 = 50_000.0;
const HTTP_TARGET: f64 = 100_000.0;
const ALERT_P99_TARGET: Duration = Duration::from_millis(100);
/// Rows per transaction of the raw inserts (the pipeline writes at most 20,000 at a time).
const RAW_TRANSACTION: usize = 100_000;
/// Rows per statement of the native multi-row SQLite insert (11 parameters each, below
/// SQLite's 32,766).
const SQLITE_ROWS_PER_STATEMENT: usize = 500;
/// The kinds of the benchmark's devices, in turn.
const KINDS: [DeviceKind; 4] = [
    DeviceKind::Smartwatch,
    DeviceKind::BloodPressureMonitor,
    DeviceKind::Glucometer,
    DeviceKind::BedExitSensor,
];

/// A throughput figure.
#[derive(Debug, Clone)]
struct Rate {
    items: u64,
    messages: u64,
    elapsed: Duration,
}

impl Rate {
    fn per_second(&self) -> f64 {
        self.items as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn messages_per_second(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Latency percentiles.
#[derive(Debug, Clone, Copy)]
struct Latency {
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
    n: usize,
}

impl Latency {
    fn of(mut samples: Vec<Duration>) -> Option<Latency> {
        if samples.is_empty() {
            return None;
        }
        samples.sort();
        let n = samples.len();
        let at = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
        Some(Latency {
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: samples[n - 1],
            n,
        })
    }
}

#[derive(Default)]
struct Figures {
    mqtt: Option<Rate>,
    mqtt_lost: u64,
    mqtt_problem: Option<String>,
    alerts: Option<Latency>,
    alerts_missing: usize,
    http: Option<Rate>,
    http_problem: Option<String>,
    /// (method, rate), in the order measured.
    raw: Vec<(String, Rate)>,
    writer: Option<WriterFigures>,
}

/// What the pipeline's counters say about a measurement.
#[derive(Debug, Clone, Copy)]
struct WriterFigures {
    commits: u64,
    accepted: u64,
}

impl Figures {
    fn raw_best(&self) -> Option<&(String, Rate)> {
        self.raw
            .iter()
            .max_by(|a, b| a.1.per_second().total_cmp(&b.1.per_second()))
    }
}

/// One of the benchmark's devices.
struct BenchDevice {
    id: String,
    elder_id: String,
    credential: String,
    sim: SimDevice,
    seq: u64,
    /// When the device measures next, and how far apart: every device's readings move forward
    /// in time, as a real device's do (the index on elder, kind and time then grows at its end
    /// for each elder instead of being written all over).
    clock: DateTime<Utc>,
    step: chrono::Duration,
}

impl BenchDevice {
    /// The next `n` readings of this device (a batch it uploads at once); with `abnormal`, the
    /// last is the kind's emergency.
    fn batch(
        &mut self,
        n: usize,
        abnormal: bool,
        rng: &mut ChaCha8Rng,
    ) -> Vec<(u64, DateTime<Utc>, Values)> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let at = self.clock;
            self.clock += self.step;
            for (ts, values) in self.sim.tick(at, 0.0, rng).readings {
                if out.len() < n {
                    self.seq += 1;
                    out.push((self.seq, ts, values));
                }
            }
        }
        if abnormal {
            if let Some(last) = out.last_mut() {
                last.2 = self.sim.abnormal(last.1, rng).1;
            }
        }
        out
    }
}

/// The most readings one device sends in the whole benchmark (MQTT with one abnormal batch,
/// HTTP, the raw rows), an upper bound of its measurements.
fn readings_per_device(args: &IngestArgs) -> usize {
    let devices = args.devices.max(1);
    let batches = args.readings.div_ceil(args.batch).div_ceil(devices);
    let requests = args.readings.div_ceil(args.http_batch).div_ceil(devices);
    (2 * batches + 1) * args.batch + requests * args.http_batch
}

pub async fn ingest(args: IngestArgs) -> Result<()> {
    args.backends.check()?;
    if args.devices == 0 || args.readings == 0 || args.connections == 0 {
        bail!("--devices, --readings and --connections must be at least 1");
    }
    if !(1..=monitoring::reading::MAX_BATCH).contains(&args.batch)
        || !(1..=monitoring::reading::MAX_BATCH).contains(&args.http_batch)
    {
        bail!(
            "--batch and --http-batch must be from 1 to {}",
            monitoring::reading::MAX_BATCH
        );
    }
    if args.window == 0 {
        bail!("--window must be at least 1");
    }
    let private_broker = match &args.mqtt_url {
        Some(_) => None,
        None => Some(PrivateBroker::start()?),
    };
    let broker_url = match (&args.mqtt_url, &private_broker) {
        (Some(url), _) => url.clone(),
        (None, Some(broker)) => broker.url.clone(),
        (None, None) => unreachable!("a private broker when none is given"),
    };
    let broker = mqtt::BrokerUrl::parse(&broker_url)?;
    if broker.username.is_none() {
        bail!("--mqtt-url needs yiyang's broker account (devices publish with their own accounts)");
    }
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "yiyang bench ingest: {} readings per measurement, {} devices, MQTT batch {}, HTTP batch {} × {} connections, {cpus} CPUs, {} build",
        args.readings,
        args.devices,
        args.batch,
        args.http_batch,
        args.connections,
        build()
    );
    let results = args
        .backends
        .each(async |backend, scratch| measure(backend, scratch, &args, &broker).await)
        .await?;
    println!("\n== summary ({cpus} CPUs; one process runs the broker's client, the pipeline, the HTTP server and the load)");
    for measured in &results {
        println!(
            "{}",
            summary_line(measured.backend, &measured.figures, &args)
        );
        measured.print_load();
    }
    for crate::Measured {
        backend, figures, ..
    } in &results
    {
        for (method, rate) in &figures.raw {
            println!(
                "{backend} raw: {} rows/s  {method}",
                thousands(rate.per_second())
            );
        }
        if let Some(w) = figures.writer {
            println!(
                "{backend} pipeline: {} commits for {} readings over MQTT ({:.0} readings a transaction)",
                w.commits,
                w.accepted,
                w.accepted as f64 / w.commits.max(1) as f64
            );
        }
    }
    if let Some(crate::Measured {
        figures: sqlite, ..
    }) = results.iter().find(|r| r.backend == "sqlite")
    {
        let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
        let mqtt = sqlite.mqtt.as_ref().map_or(0.0, Rate::per_second);
        let http = sqlite.http.as_ref().map_or(0.0, Rate::per_second);
        println!(
            "targets (sqlite): mqtt ≥ {} readings/s {} · http ≥ {} readings/s {} · alert p99 < {} ms {}",
            thousands(MQTT_TARGET),
            verdict(mqtt >= MQTT_TARGET),
            thousands(HTTP_TARGET),
            verdict(http >= HTTP_TARGET),
            ALERT_P99_TARGET.as_millis(),
            verdict(sqlite.alerts.is_some_and(|a| a.p99 < ALERT_P99_TARGET))
        );
    }
    Ok(())
}

fn summary_line(backend: &str, f: &Figures, args: &IngestArgs) -> String {
    let mut parts = Vec::new();
    match &f.mqtt {
        Some(r) => parts.push(format!(
            "mqtt {} readings/s ({} msgs/s, batch {}, window {}{})",
            thousands(r.per_second()),
            thousands(r.messages_per_second()),
            args.batch,
            args.window,
            if f.mqtt_lost > 0 {
                format!(", {} LOST", f.mqtt_lost)
            } else {
                String::new()
            }
        )),
        None => parts.push(format!(
            "mqtt – ({})",
            f.mqtt_problem.as_deref().unwrap_or("not measured")
        )),
    }
    match (&f.http, &f.http_problem) {
        (Some(r), _) => parts.push(format!(
            "http {} readings/s ({:.1} req/s of {})",
            thousands(r.per_second()),
            r.messages_per_second(),
            args.http_batch
        )),
        (None, Some(problem)) => parts.push(format!("http – ({problem})")),
        (None, None) => parts.push("http –".into()),
    }
    if let Some((_, raw)) = f.raw_best() {
        parts.push(format!("raw {} rows/s", thousands(raw.per_second())));
        let ratio = |r: &Option<Rate>| {
            r.as_ref().map_or("–".into(), |r| {
                format!("{:.2}", r.per_second() / raw.per_second())
            })
        };
        parts.push(format!("mqtt/raw {}", ratio(&f.mqtt)));
        parts.push(format!("http/raw {}", ratio(&f.http)));
    }
    match f.alerts {
        Some(a) => parts.push(format!(
            "alert latency p50 {} p95 {} p99 {} max {} (n={}{})",
            ms(a.p50),
            ms(a.p95),
            ms(a.p99),
            ms(a.max),
            a.n,
            if f.alerts_missing > 0 {
                format!(", {} never arrived", f.alerts_missing)
            } else {
                String::new()
            }
        )),
        None => parts.push("alert latency –".into()),
    }
    format!("{backend:<8} {}", parts.join(" · "))
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// `1234567.8` → `1,234,568`
fn thousands(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

async fn measure(
    backend: &'static str,
    scratch: &Scratch,
    args: &IngestArgs,
    broker: &mqtt::BrokerUrl,
) -> Result<Figures> {
    println!("\n== {backend}: {}", app::redact_url(scratch.url()));
    let elders = args.elders.max(args.devices);
    let DemoDb {
        app,
        store,
        authorized,
        ..
    } = demo_database(scratch, elders, args.seed).await?;
    let app = app.with_device_accounts(Arc::new(mqtt::BrokerAccounts::connect(
        broker,
        &format!("yiyang-bench-control-{}", std::process::id()),
    )));
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut devices = register_devices(&app, &store, args, &mut rng).await?;
    let mut figures = Figures::default();

    let commits_before = app::monitoring::IngestStats::get(&app.monitoring().stats.commits);
    let accepted_before = app::monitoring::IngestStats::get(&app.monitoring().stats.accepted);
    empty_readings(&store).await?;
    if let Err(error) = mqtt_phase(&app, &mut devices, args, broker, &mut rng, &mut figures).await {
        println!("{backend}: mqtt not measured: {error:#}");
        figures.mqtt_problem = Some(format!("{error:#}"));
    }
    figures.writer = figures.mqtt.is_some().then(|| WriterFigures {
        commits: app::monitoring::IngestStats::get(&app.monitoring().stats.commits)
            - commits_before,
        accepted: app::monitoring::IngestStats::get(&app.monitoring().stats.accepted)
            - accepted_before,
    });
    print_partial(backend, &figures);

    empty_readings(&store).await?;
    http_phase(&app, &mut devices, args, &mut rng, &mut figures).await?;
    print_partial(backend, &figures);

    raw_phase(
        (&store, &authorized),
        scratch,
        &mut devices,
        args,
        &mut rng,
        &mut figures,
    )
    .await?;
    print_partial(backend, &figures);
    let rejected = app.monitoring().stats.rejected();
    if !rejected.is_empty() {
        println!("{backend}: readings refused by the pipeline: {rejected:?}");
    }
    store.close().await;
    Ok(figures)
}

fn print_partial(backend: &str, f: &Figures) {
    if let (Some(r), true) = (&f.mqtt, f.http.is_none() && f.raw.is_empty()) {
        println!(
            "{backend}: mqtt {} readings/s, {} msgs/s ({} readings in {:.1} s)",
            thousands(r.per_second()),
            thousands(r.messages_per_second()),
            r.items,
            r.elapsed.as_secs_f64()
        );
        if let Some(a) = f.alerts {
            println!(
                "{backend}: alert latency p50 {} p95 {} p99 {} max {} (n={})",
                ms(a.p50),
                ms(a.p95),
                ms(a.p99),
                ms(a.max),
                a.n
            );
        }
    } else if let (Some(r), true) = (&f.http, f.raw.is_empty()) {
        println!(
            "{backend}: http {} readings/s, {:.1} requests/s ({} readings in {:.1} s)",
            thousands(r.per_second()),
            r.messages_per_second(),
            r.items,
            r.elapsed.as_secs_f64()
        );
    } else if let Some(problem) = f.http_problem.as_ref().filter(|_| f.raw.is_empty()) {
        println!("{backend}: http not measured: {problem}");
    } else {
        for (method, r) in &f.raw {
            println!(
                "{backend}: raw {} rows/s ({} rows in {:.1} s) {method}",
                thousands(r.per_second()),
                r.items,
                r.elapsed.as_secs_f64()
            );
        }
    }
}

/// Registers `n` devices through the use case, each bound to its own elder while there are
/// enough (an abnormal reading on device `j` then opens a new alert on an elder of its own).
async fn register_devices(
    app: &App,
    store: &store::Store,
    args: &IngestArgs,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<BenchDevice>> {
    let n = args.devices;
    // A minute apart, or closer when that would reach back beyond what the protocol takes
    // (90 days); the last measurement is before now.
    let span = readings_per_device(args).max(1) as i64 + 10;
    let step =
        chrono::Duration::minutes(1).min(chrono::Duration::seconds((80 * 86_400 / span).max(1)));
    let start = Utc::now() - step * i32::try_from(span).unwrap_or(i32::MAX);
    let admin = app
        .system_actor("admin")
        .await
        .map_err(anyhow::Error::msg)?;
    let elders: Vec<String> =
        sqlx::query_scalar("SELECT id FROM elders WHERE status = 'alive' ORDER BY id")
            .fetch_all(store.pool())
            .await?;
    if elders.is_empty() {
        bail!("the demo registry has no living elders");
    }
    let bar = Progress::new("devices", n as u64);
    let mut devices = Vec::with_capacity(n);
    for i in 0..n {
        let kind = KINDS[i % KINDS.len()];
        let id = format!("BENCH-{i:05}");
        let elder_id = elders[i % elders.len()].clone();
        let registered = app
            .register_device(&admin, &id, kind.code(), &elder_id)
            .await
            .map_err(anyhow::Error::msg)?;
        let profile = Profile::new(rng.random_range(62..=98), i % 2 == 0, i % 5 == 0, rng);
        devices.push(BenchDevice {
            sim: SimDevice::new(id.clone(), kind, elder_id.clone(), profile),
            id,
            elder_id,
            credential: registered.credential,
            seq: 0,
            clock: start,
            step,
        });
        bar.set(i as u64 + 1);
    }
    bar.finish();
    Ok(devices)
}

/// One MQTT payload to publish: its device, the bytes, and the elder whose new alert it opens.
struct Planned {
    device: usize,
    body: Vec<u8>,
    alert_for: Option<String>,
}

async fn mqtt_phase(
    app: &App,
    devices: &mut [BenchDevice],
    args: &IngestArgs,
    broker: &mqtt::BrokerUrl,
    rng: &mut ChaCha8Rng,
    figures: &mut Figures,
) -> Result<()> {
    // The payloads, made before the clock starts so that the figure is of the server's work.
    let messages = args.readings.div_ceil(args.batch);
    let mut plan = Vec::with_capacity(messages);
    let mut alerted = 0usize;
    let bar = Progress::new("payloads", messages as u64);
    for i in 0..messages {
        let n = args.batch.min(args.readings - i * args.batch);
        let abnormal = args.alert_every > 0
            && i % args.alert_every == args.alert_every / 2
            && alerted < devices.len();
        let device = if abnormal { alerted } else { i % devices.len() };
        if abnormal {
            alerted += 1;
        }
        let readings = devices[device].batch(n, abnormal, rng);
        plan.push(Planned {
            device,
            body: simulate::payload(&readings),
            alert_for: abnormal.then(|| devices[device].elder_id.clone()),
        });
        bar.set(i as u64 + 1);
    }
    bar.finish();
    let topics: Vec<String> = devices
        .iter()
        .map(|d| monitoring::device::topic_of_device(&d.id))
        .collect();
    let total: u64 = args.readings as u64;

    let client_id = format!("yiyang-bench-{}", &uuid_like(&mut rand::rng())[..16]);
    let status = Arc::new(mqtt::SubscriberStatus::default());
    let mut config = mqtt::SubscriberConfig::new(broker.clone());
    config.client_id = client_id.clone();
    let subscriber = tokio::spawn(mqtt::run_subscriber(app.clone(), config, status.clone()));
    let waited = Instant::now();
    while !status.is_subscribed() {
        if waited.elapsed() > Duration::from_secs(15) {
            subscriber.abort();
            bail!(
                "no subscription at the MQTT broker {}:{} within 15 s (is it running? --mqtt-url)",
                broker.host,
                broker.port
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Alert notices as the board receives them, stamped on arrival.
    let opened: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let listener = {
        let mut notices = app.subscribe_alerts();
        let opened = opened.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match notices.recv().await {
                    Ok(notice) if notice.event == "opened" => {
                        let at = Instant::now();
                        opened
                            .lock()
                            .expect("alerts lock")
                            .entry(notice.elder_id)
                            .or_insert(at);
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
        })
    };

    // Each device publishes as itself (its broker account allows nothing else).
    let mut clients = Vec::with_capacity(devices.len());
    let mut pollers = Vec::with_capacity(devices.len());
    for device in devices.iter() {
        let as_device = mqtt::BrokerUrl {
            username: Some(device.id.clone()),
            password: Some(device.credential.clone()),
            ..broker.clone()
        };
        let (client, mut eventloop) = mqtt::publisher(&as_device, &device.id, 1000);
        pollers.push(tokio::spawn(async move {
            loop {
                if eventloop.poll().await.is_err() {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }));
        clients.push(client);
    }
    let stats = &app.monitoring().stats;
    let accepted = || app::monitoring::IngestStats::get(&stats.accepted);
    let accepted_before = accepted();
    let acknowledged = || status.acknowledged.load(Ordering::Relaxed);
    let mut published_at: HashMap<String, Instant> = HashMap::new();
    let bar = Progress::new("mqtt", total);
    let started = Instant::now();
    for (i, planned) in plan.into_iter().enumerate() {
        while i as u64 >= acknowledged() + args.window as u64 {
            bar.set(accepted() - accepted_before);
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if let Some(elder) = planned.alert_for {
            published_at.insert(elder, Instant::now());
        }
        clients[planned.device]
            .publish(
                topics[planned.device].clone(),
                mqtt::rumqttc::QoS::AtLeastOnce,
                false,
                planned.body,
            )
            .await
            .context("publishing")?;
    }
    let mut last_progress = (accepted(), Instant::now());
    let finished = loop {
        let stored = accepted() - accepted_before;
        bar.set(stored);
        if stored >= total {
            break Instant::now();
        }
        if stored != last_progress.0 {
            last_progress = (stored, Instant::now());
        } else if last_progress.1.elapsed() > Duration::from_secs(20) {
            break last_progress.1;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    bar.finish();
    let stored = accepted() - accepted_before;
    figures.mqtt = Some(Rate {
        items: stored,
        messages: messages as u64,
        elapsed: finished - started,
    });
    figures.mqtt_lost = total.saturating_sub(stored);

    // Alerts still on their way get a moment.
    let deadline = Instant::now() + Duration::from_secs(2);
    while opened.lock().expect("alerts lock").len() < published_at.len()
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    listener.abort();
    let opened = opened.lock().expect("alerts lock").clone();
    let mut samples = Vec::new();
    for (elder, published) in &published_at {
        match opened.get(elder) {
            Some(at) => samples.push(at.saturating_duration_since(*published)),
            None => figures.alerts_missing += 1,
        }
    }
    figures.alerts = Latency::of(samples);

    subscriber.abort();
    for client in &clients {
        let _ = client.disconnect().await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    for poller in pollers {
        poller.abort();
    }
    forget_session(broker, &client_id).await;
    Ok(())
}

/// Drops the broker's persistent session of `client_id` (a clean-session connect), so that the
/// benchmark leaves nothing queued behind.
async fn forget_session(broker: &mqtt::BrokerUrl, client_id: &str) {
    use mqtt::rumqttc::{AsyncClient, Event, Packet};
    let mut options = broker.options(client_id);
    options.set_clean_session(true);
    let (client, mut eventloop) = AsyncClient::new(options, 10);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => break,
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    })
    .await;
    let _ = client.disconnect().await;
    let _ = tokio::time::timeout(Duration::from_secs(1), eventloop.poll()).await;
}

async fn http_phase(
    app: &App,
    devices: &mut [BenchDevice],
    args: &IngestArgs,
    rng: &mut ChaCha8Rng,
    figures: &mut Figures,
) -> Result<()> {
    let requests = args.readings.div_ceil(args.http_batch);
    let bar = Progress::new("requests", requests as u64);
    let mut bodies = Vec::with_capacity(requests);
    for k in 0..requests {
        let n = args.http_batch.min(args.readings - k * args.http_batch);
        let device = &mut devices[k % devices.len()];
        let readings = device.batch(n, false, rng);
        bodies.push((device.credential.clone(), simulate::payload(&readings)));
        bar.set(k as u64 + 1);
    }
    bar.finish();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let router = web::router(web::WebState::new(app.clone()));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });

    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicU64::new(0));
    let problem: Arc<Mutex<Option<String>>> = Arc::default();
    let bar = Progress::new("http", args.readings as u64);
    let started = Instant::now();
    let clients: Vec<_> = (0..args.connections)
        .map(|_| {
            let (bodies, next, accepted, problem) = (
                bodies.clone(),
                next.clone(),
                accepted.clone(),
                problem.clone(),
            );
            std::thread::spawn(move || {
                if let Err(error) = http_client(&address, &bodies, &next, &accepted) {
                    problem
                        .lock()
                        .expect("problem lock")
                        .get_or_insert(format!("{error:#}"));
                    // Stop the others too: the figure would be of a part of the load.
                    next.store(usize::MAX / 2, Ordering::Relaxed);
                }
            })
        })
        .collect();
    while clients.iter().any(|c| !c.is_finished()) {
        bar.set(accepted.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    for client in clients {
        let _ = client.join();
    }
    bar.finish();
    server.abort();
    let problem = problem.lock().expect("problem lock").take();
    match problem {
        Some(problem) => figures.http_problem = Some(problem),
        None => {
            figures.http = Some(Rate {
                items: accepted.load(Ordering::Relaxed),
                messages: requests as u64,
                elapsed,
            })
        }
    }
    Ok(())
}

/// One keep-alive connection posting bodies until none are left. A minimal HTTP/1.1 client:
/// the request with its Content-Length, the answer's status line, headers and
/// Content-Length body.
fn http_client(
    address: &std::net::SocketAddr,
    bodies: &[(String, Vec<u8>)],
    next: &AtomicUsize,
    accepted: &AtomicU64,
) -> Result<()> {
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let Some((credential, body)) = bodies.get(k) else {
            return Ok(());
        };
        let head = format!(
            "POST /api/v1/readings HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {credential}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        let (status, reply) = read_response(&mut stream)?;
        if status != 200 {
            bail!(
                "POST /api/v1/readings answered {status}: {}",
                String::from_utf8_lossy(&reply[..reply.len().min(300)])
            );
        }
        let value: serde_json::Value =
            serde_json::from_slice(&reply).context("the upload's answer is not JSON")?;
        let stored = value
            .get("accepted")
            .and_then(|v| v.as_u64())
            .context("the upload's answer has no accepted count")?;
        let expected = body.iter().filter(|b| **b == b'{').count() as u64;
        if stored != expected {
            bail!(
                "an upload of {expected} readings stored {stored}: {}",
                String::from_utf8_lossy(&reply[..reply.len().min(300)])
            );
        }
        accepted.fetch_add(stored, Ordering::Relaxed);
    }
}

/// Reads one response: (status, body). Only Content-Length bodies (what the API sends).
fn read_response(stream: &mut std::net::TcpStream) -> Result<(u16, Vec<u8>)> {
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let head = loop {
        if let Some(head) = crate::api::ResponseHead::parse(&buffer)? {
            break head;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            bail!("the server closed the connection");
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let (status, length) = (head.status, head.length);
    let head_end = head.end;
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            bail!("the server closed the connection mid-answer");
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok((status, body))
}

async fn raw_phase(
    (store, authorized): (&store::Store, &store::Authorized),
    scratch: &Scratch,
    devices: &mut [BenchDevice],
    args: &IngestArgs,
    rng: &mut ChaCha8Rng,
    figures: &mut Figures,
) -> Result<()> {
    // Rows as the pipeline makes them: payloads of the same generator, parsed and turned into
    // rows by the pipeline's own function. Each method writes them with its own seqs.
    let now = Utc::now();
    let received = store::time_text(now);
    let mut rows: Vec<ReadingRow> = Vec::with_capacity(args.readings);
    let mut i = 0;
    let bar = Progress::new("rows", args.readings as u64);
    while rows.len() < args.readings {
        let n = args.batch.min(args.readings - rows.len());
        let device = &mut devices[i % devices.len()];
        i += 1;
        let readings = device.batch(n, false, rng);
        let bytes = simulate::payload(&readings);
        for reading in monitoring::parse_payload(&bytes, now).map_err(anyhow::Error::msg)? {
            let reading = reading.map_err(anyhow::Error::msg)?;
            rows.push(app::monitoring::ingest::reading_row(
                &device.id,
                &device.elder_id,
                &reading,
                &received,
            ));
        }
        bar.set(rows.len() as u64);
    }
    bar.finish();
    // Far above any seq the devices used so far.
    let with_seqs = |round: i64| -> Vec<ReadingRow> {
        rows.iter()
            .map(|r| ReadingRow {
                seq: r.seq + round * 1_000_000_000_000,
                ..r.clone()
            })
            .collect()
    };

    let rows_1 = with_seqs(1);
    empty_readings(store).await?;
    let rate = timed(
        "raw store",
        &rows_1,
        |chunk| {
            let store = store.clone();
            let authorized = authorized.clone();
            async move {
                let mut tx = store.begin().await?;
                store::monitoring::insert_readings(&mut tx, &authorized, &chunk).await?;
                tx.commit().await?;
                Ok(())
            }
        },
        20_000,
    )
    .await?;
    figures.raw.push((
        "store::monitoring::insert_readings (sqlx Any, 2,000 rows a statement, RETURNING), 20,000 a transaction".into(),
        rate,
    ));
    drop(rows_1);

    match store.backend() {
        store::Backend::Sqlite => {
            use sqlx::Connection;
            let options: sqlx::sqlite::SqliteConnectOptions = scratch
                .url()
                .parse()
                .context("the SQLite URL for a native connection")?;
            let options = options
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                // The pool's page cache (store-sqlite), so that only the way of writing differs.
                .pragma("cache_size", "-8192")
                .pragma("temp_store", "MEMORY");
            let conn = Arc::new(tokio::sync::Mutex::new(
                sqlx::SqliteConnection::connect_with(&options).await?,
            ));

            let ways = [
                (
                    "raw sqlite multi-row",
                    SQLITE_ROWS_PER_STATEMENT,
                    format!("native SqliteConnection, multi-row INSERT of {SQLITE_ROWS_PER_STATEMENT} (prepared, no RETURNING), {RAW_TRANSACTION} a transaction"),
                ),
                (
                    "raw sqlite single-row",
                    1,
                    format!("native SqliteConnection, one prepared single-row INSERT per row, {RAW_TRANSACTION} a transaction"),
                ),
            ];
            for (round, (label, per_statement, method)) in (2..).zip(ways) {
                let rows = with_seqs(round);
                empty_readings(store).await?;
                let full = multi_row_insert(per_statement);
                let rate = timed(
                    label,
                    &rows,
                    |chunk| {
                        let (conn, full) = (conn.clone(), &full);
                        async move {
                            let mut conn = conn.lock().await;
                            let mut tx = conn.begin().await?;
                            for part in chunk.chunks(per_statement) {
                                let short;
                                let text = if part.len() == per_statement {
                                    full
                                } else {
                                    short = multi_row_insert(part.len());
                                    &short
                                };
                                bind_rows(sqlx::query(text), part).execute(&mut *tx).await?;
                            }
                            tx.commit().await?;
                            Ok(())
                        }
                    },
                    RAW_TRANSACTION,
                )
                .await?;
                figures.raw.push((method, rate));
            }
            Arc::try_unwrap(conn)
                .map_err(|_| anyhow::anyhow!("connection still shared"))?
                .into_inner()
                .close()
                .await?;
        }
        store::Backend::Postgres => {
            use sqlx::Connection;
            let conn = Arc::new(tokio::sync::Mutex::new(
                sqlx::PgConnection::connect(scratch.url()).await?,
            ));
            let rows_2 = with_seqs(2);
            empty_readings(store).await?;
            let rate = timed("raw postgres COPY", &rows_2, |chunk| {
                let conn = conn.clone();
                async move {
                    let mut conn = conn.lock().await;
                    let mut copy = conn
                        .copy_in_raw(
                            "COPY readings (device_id, seq, elder_id, kind, measured_at, received_at, \
                             value1, value2, value3, context, detail) FROM STDIN (FORMAT csv)",
                        )
                        .await?;
                    let mut buffer = String::with_capacity(1 << 20);
                    for row in chunk.iter() {
                        push_csv_row(&mut buffer, row);
                        if buffer.len() > (1 << 20) - 512 {
                            copy.send(buffer.as_bytes()).await?;
                            buffer.clear();
                        }
                    }
                    if !buffer.is_empty() {
                        copy.send(buffer.as_bytes()).await?;
                    }
                    copy.finish().await?;
                    Ok(())
                }
            }, RAW_TRANSACTION)
            .await?;
            figures.raw.push((
                format!(
                    "native PgConnection, COPY FROM STDIN (csv), {RAW_TRANSACTION} rows a COPY"
                ),
                rate,
            ));
            Arc::try_unwrap(conn)
                .map_err(|_| anyhow::anyhow!("connection still shared"))?
                .into_inner()
                .close()
                .await?;
        }
    }
    Ok(())
}

/// Empties the `readings` table and flushes the database, so that every measurement starts
/// from the same state: inserts into a table of millions of rows are slower than into an empty
/// one (the indexes outgrow the page cache), and a ratio of two figures is only fair at the same
/// size.
async fn empty_readings(store: &store::Store) -> Result<()> {
    let pool = store.pool();
    match store.backend() {
        store::Backend::Sqlite => {
            sqlx::query("DELETE FROM readings").execute(pool).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await?;
        }
        store::Backend::Postgres => {
            sqlx::query("TRUNCATE readings").execute(pool).await?;
            // Needs a superuser (or pg_checkpoint); without it the figures only flush less.
            let _ = sqlx::query("CHECKPOINT").execute(pool).await;
        }
    }
    Ok(())
}

/// Writes `rows` in chunks of `per_call` through `write`, timed, with progress.
async fn timed<F, Fut>(
    label: &'static str,
    rows: &[ReadingRow],
    write: F,
    per_call: usize,
) -> Result<Rate>
where
    F: Fn(Vec<ReadingRow>) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let bar = Progress::new(label, rows.len() as u64);
    // The chunks are cloned before the clock starts.
    let chunks: Vec<Vec<ReadingRow>> = rows.chunks(per_call).map(<[_]>::to_vec).collect();
    let started = Instant::now();
    let mut done = 0;
    for chunk in chunks {
        done += chunk.len();
        write(chunk).await?;
        bar.set(done as u64);
    }
    let elapsed = started.elapsed();
    bar.finish();
    Ok(Rate {
        items: rows.len() as u64,
        messages: 0,
        elapsed,
    })
}

/// `INSERT INTO readings (...) VALUES (?, ...), ... ON CONFLICT DO NOTHING` for `rows` rows.
fn multi_row_insert(rows: usize) -> String {
    let mut text = String::from(
        "INSERT INTO readings (device_id, seq, elder_id, kind, measured_at, received_at, \
         value1, value2, value3, context, detail) VALUES ",
    );
    for i in 0..rows {
        if i > 0 {
            text.push(',');
        }
        text.push_str("(?,?,?,?,?,?,?,?,?,?,?)");
    }
    text.push_str(" ON CONFLICT (device_id, seq) DO NOTHING");
    text
}

fn bind_rows<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    rows: &'q [ReadingRow],
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    for r in rows {
        let columns = r.values.to_columns();
        query = query
            .bind(&r.device_id)
            .bind(r.seq)
            .bind(&r.elder_id)
            .bind(r.values.kind())
            .bind(&r.measured_at)
            .bind(&r.received_at)
            .bind(columns.value1)
            .bind(columns.value2)
            .bind(columns.value3)
            .bind(columns.context)
            .bind(columns.detail);
    }
    query
}

/// One row of `COPY ... (FORMAT csv)`: an unquoted empty field is NULL, text is quoted.
fn push_csv_row(out: &mut String, r: &ReadingRow) {
    use std::fmt::Write as _;
    let text = |out: &mut String, value: Option<&str>| {
        if let Some(v) = value {
            out.push('"');
            out.push_str(&v.replace('"', "\"\""));
            out.push('"');
        }
    };
    let number = |out: &mut String, value: Option<f64>| {
        if let Some(v) = value {
            let _ = write!(out, "{v}");
        }
    };
    text(out, Some(&r.device_id));
    let _ = write!(out, ",{},", r.seq);
    text(out, Some(&r.elder_id));
    out.push(',');
    let columns = r.values.to_columns();
    text(out, Some(r.values.kind()));
    out.push(',');
    text(out, Some(&r.measured_at));
    out.push(',');
    text(out, Some(&r.received_at));
    out.push(',');
    number(out, columns.value1);
    out.push(',');
    number(out, columns.value2);
    out.push(',');
    number(out, columns.value3);
    out.push(',');
    text(out, columns.context.as_deref());
    out.push(',');
    text(out, columns.detail.as_deref());
    out.push('\n');
}

/// A Mosquitto for one benchmark run, configured as the project ships it
/// (`deploy/mosquitto/start.sh`), on a free port in a scratch folder; stopped when dropped.
struct PrivateBroker {
    child: std::process::Child,
    dir: std::path::PathBuf,
    url: String,
}

impl PrivateBroker {
    fn start() -> Result<PrivateBroker> {
        let script = [
            std::path::PathBuf::from("deploy/mosquitto/start.sh"),
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../deploy/mosquitto/start.sh"),
        ]
        .into_iter()
        .find(|p| p.exists())
        .context(
            "deploy/mosquitto/start.sh not found: run from the repository, or give --mqtt-url",
        )?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let dir = std::env::temp_dir().join(format!("yiyang-bench-broker-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let child = std::process::Command::new("bash")
            .arg(&script)
            .args(["--dir", &dir.to_string_lossy(), "--port", &port.to_string()])
            .env_remove("YIYANG_BROKER_PASSWORD")
            .stdout(std::process::Stdio::null())
            .spawn()
            .context("starting mosquitto (is it installed?)")?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                bail!("the private broker did not open port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let url = std::fs::read_to_string(dir.join("mqtt-url"))?
            .trim()
            .to_string();
        println!("private broker (deploy/mosquitto) at 127.0.0.1:{port}");
        Ok(PrivateBroker { child, dir, url })
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_print_with_thousands_separators() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(61_234.4), "61,234");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
    }

    #[test]
    fn latency_percentiles_come_from_the_sorted_samples() {
        let samples: Vec<Duration> = (1..=200).rev().map(Duration::from_millis).collect();
        let l = Latency::of(samples).expect("samples");
        assert_eq!(
            (l.p50, l.p95, l.p99, l.max, l.n),
            (
                Duration::from_millis(100),
                Duration::from_millis(190),
                Duration::from_millis(198),
                Duration::from_millis(200),
                200
            )
        );
        assert!(Latency::of(Vec::new()).is_none());
    }

    #[test]
    fn csv_rows_quote_text_and_leave_nulls_empty() {
        let row = ReadingRow {
            device_id: "W-1".into(),
            seq: 7,
            elder_id: "e".into(),
            measured_at: "2026-11-23T00:00:00.000000Z".into(),
            received_at: "2026-11-23T00:00:01.000000Z".into(),
            values: monitoring::Values::Vitals(monitoring::reading::VitalSigns {
                respiration_rate: 16,
                spo2: 97,
                on_oxygen: false,
                systolic: 120,
                pulse: 80,
                consciousness: monitoring::reading::Consciousness::Alert,
                temperature: 36.5,
            }),
        };
        let mut out = String::new();
        push_csv_row(&mut out, &row);
        assert_eq!(
            out,
            "\"W-1\",7,\"e\",\"vitals\",\"2026-11-23T00:00:00.000000Z\",\"2026-11-23T00:00:01.000000Z\",120,97,80,,\"{\"\"consciousness\"\":\"\"alert\"\",\"\"on_oxygen\"\":false,\"\"pulse\"\":80,\"\"respiration_rate\"\":16,\"\"spo2\"\":97,\"\"systolic\"\":120,\"\"temperature\"\":36.5}\"\n"
        );
    }

    #[test]
    fn a_device_batch_parses_whole_and_ends_with_its_emergency() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for kind in KINDS {
            let profile = Profile::new(80, true, true, &mut rng);
            let mut device = BenchDevice {
                id: "B-1".into(),
                elder_id: "e".into(),
                credential: String::new(),
                sim: SimDevice::new("B-1".into(), kind, "e".into(), profile),
                seq: 0,
                clock: Utc::now() - chrono::Duration::hours(2),
                step: chrono::Duration::minutes(1),
            };
            let now = Utc::now();
            let readings = device.batch(50, true, &mut rng);
            assert!(readings.windows(2).all(|w| w[0].1 <= w[1].1));
            assert_eq!(readings.len(), 50);
            let parsed = monitoring::parse_payload(&simulate::payload(&readings), now).unwrap();
            let thresholds = monitoring::Thresholds::default();
            for (i, reading) in parsed.iter().enumerate() {
                let reading = reading.as_ref().expect("a valid reading");
                assert!(kind.may_send(reading.values.kind()));
                let findings = monitoring::evaluate(&reading.values, &thresholds);
                assert_eq!(findings.is_empty(), i < 49, "{:?}", reading.values);
            }
            assert_eq!(device.seq, 50);
        }
    }
}
