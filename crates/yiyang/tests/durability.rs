//! Full-process tests of the MQTT ingest against the real broker, configured as the project
//! ships it (`deploy/mosquitto`, a private instance per test): an abnormal reading becomes an
//! alert, a resend does not double it, after `kill -9` of the server mid-stream every reading
//! arrives exactly once (acknowledged ones were committed before the acknowledgement, the rest
//! are redelivered by the broker to the persistent session after the restart), and a burst of
//! 400,000 readings published as fast as the clients can, with API traffic beside it and a
//! `kill -9` in the middle, is stored exactly once. On every backend.

use mqtt::rumqttc::{AsyncClient, Event, Packet, QoS};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use testkit::broker::Broker;

/// A running `yiyang serve`, killed with SIGKILL when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    /// Starts the server and waits until its MQTT subscription is in place.
    fn start(database_url: &str, broker: &Broker, client_id: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yiyang"))
            .args([
                "serve",
                "--database-url",
                database_url,
                "--listen",
                "127.0.0.1:0",
                "--mqtt-url",
                &broker.admin_url,
                "--mqtt-client-id",
                client_id,
            ])
            .env("YIYANG_ADMIN_PASSWORD", testkit::PASSWORD)
            .env("YIYANG_LOG", "info,sqlx=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start yiyang serve");
        let stderr = child.stderr.take().expect("stderr");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("mqtt: subscribed") {
                    let _ = tx.send(());
                }
                if line.contains("ERROR") || line.contains("WARN") {
                    eprintln!("server: {line}");
                }
            }
        });
        let (address_tx, address_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("yiyang listening on http://") {
                    let _ = address_tx.send(address.to_string());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(60))
            .expect("the server subscribed to the broker");
        let address = address_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server said where it listens");
        Server { child, address }
    }

    fn kill_9(mut self) {
        // Child::kill sends SIGKILL on Unix: no shutdown code runs.
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reap");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A QoS 1 publisher whose event loop runs in the background; `publish` returns once the
/// broker has acknowledged the message (so it is the broker's to deliver).
struct Publisher {
    client: AsyncClient,
    acks: tokio::sync::mpsc::UnboundedReceiver<()>,
}

impl Publisher {
    /// Connects as `device` with its credential (its account's client id is the device id).
    fn new(broker: &Broker, device: &Device) -> Publisher {
        let url = mqtt::BrokerUrl::parse(&broker.url_as(&device.id, &device.credential))
            .expect("device url");
        let (client, mut eventloop) = mqtt::publisher(&url, &device.id, 100);
        let (tx, acks) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::PubAck(_))) => {
                        let _ = tx.send(());
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        });
        Publisher { client, acks }
    }

    async fn publish(&mut self, device: &str, payload: String) {
        self.client
            .publish(
                monitoring::device::topic_of_device(device),
                QoS::AtLeastOnce,
                false,
                payload,
            )
            .await
            .expect("publish");
        tokio::time::timeout(Duration::from_secs(10), self.acks.recv())
            .await
            .expect("broker acknowledged the publish");
    }
}

async fn count(app: &app::App, sql: &str) -> i64 {
    let mut conn = app.store().acquire().await.expect("connection");
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    n
}

async fn wait_for(app: &app::App, sql: &str, expected: i64, within: Duration) -> i64 {
    let start = Instant::now();
    loop {
        let n = count(app, sql).await;
        if n >= expected || start.elapsed() > within {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn reading(seq: u64, systolic: i64) -> String {
    format!(
        r#"{{"seq":{seq},"ts":"{}","kind":"blood_pressure","systolic":{systolic},"diastolic":80}}"#,
        chrono::Utc::now().to_rfc3339()
    )
}

struct Device {
    id: String,
    credential: String,
}

/// An app on the test's database that provisions device accounts on `broker`, as `serve` does.
async fn app_with_broker(db: &testkit::TestDb, broker: &Broker) -> app::App {
    let accounts = mqtt::BrokerAccounts::connect(
        &mqtt::BrokerUrl::parse(&broker.admin_url).expect("admin url"),
        &format!("yiyang-test-control-{}", uuid::Uuid::now_v7().simple()),
    );
    db.app()
        .await
        .with_device_accounts(std::sync::Arc::new(accounts))
}

/// Registers `count` blood-pressure monitors for fixture elders; returns the app (the test's
/// own connection to the same database) and the devices with their credentials.
async fn prepare(db: &testkit::TestDb, broker: &Broker, count: usize) -> (app::App, Vec<Device>) {
    let app = app_with_broker(db, broker).await;
    let fixture = testkit::Fixture::create(&app).await;
    let admin = app.system_actor("admin").await.expect("admin");
    let mut devices = Vec::new();
    for _ in 0..count {
        let id = format!("BP-{}", uuid::Uuid::now_v7().simple());
        let registered = app
            .register_device(&admin, &id, "blood_pressure_monitor", &fixture.elder_a1)
            .await
            .expect("device");
        devices.push(Device {
            id,
            credential: registered.credential,
        });
    }
    (app, devices)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abnormal_reading_published_over_mqtt_becomes_one_alert_and_a_resend_does_not_double_it()
{
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let broker = Broker::start();
        let (app, devices) = prepare(&db, &broker, 1).await;
        let device = devices[0].id.clone();
        let client_id = "yiyang-ingest";
        let server = Server::start(&db.url, &broker, client_id);
        let mut publisher = Publisher::new(&broker, &devices[0]);
        let crisis = reading(1, 196);
        let sent = Instant::now();
        publisher.publish(&device, crisis.clone()).await;
        let alerts = wait_for(
            &app,
            "SELECT COUNT(*) FROM alerts",
            1,
            Duration::from_secs(10),
        )
        .await;
        let latency = sent.elapsed();
        assert_eq!(alerts, 1, "{backend:?}: the crisis became an alert");
        eprintln!("{backend:?}: publish → alert stored in {latency:?}");
        // The same reading again (a device resending after a lost PUBACK).
        publisher.publish(&device, crisis).await;
        publisher.publish(&device, reading(2, 120)).await;
        wait_for(
            &app,
            "SELECT COUNT(*) FROM readings",
            2,
            Duration::from_secs(10),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(count(&app, "SELECT COUNT(*) FROM readings").await, 2);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM alerts").await, 1);
        assert_eq!(
            count(&app, "SELECT occurrences FROM alerts").await,
            1,
            "a resend is not a second occurrence"
        );
        // Garbage on a device topic is acknowledged and counted, never stored.
        publisher.publish(&device, "{not json".into()).await;
        publisher.publish(&device, reading(3, 121)).await;
        assert_eq!(
            wait_for(
                &app,
                "SELECT COUNT(*) FROM readings",
                3,
                Duration::from_secs(10)
            )
            .await,
            3
        );
        server.kill_9();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_kill_9_mid_stream_every_reading_arrives_exactly_once() {
    const TOTAL: u64 = 600;
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let broker = Broker::start();
        let (app, devices) = prepare(&db, &broker, 1).await;
        let device = devices[0].id.clone();
        let client_id = "yiyang-ingest";
        let server = Server::start(&db.url, &broker, client_id);
        let mut publisher = Publisher::new(&broker, &devices[0]);

        // A third of the stream while the server runs, then SIGKILL without waiting for it to
        // catch up, then the rest while it is down: the broker keeps those for the session.
        for seq in 1..=TOTAL / 3 {
            publisher
                .publish(&device, reading(seq, 110 + (seq % 40) as i64))
                .await;
        }
        server.kill_9();
        let stored_at_kill = count(&app, "SELECT COUNT(*) FROM readings").await;
        for seq in TOTAL / 3 + 1..=TOTAL {
            publisher
                .publish(&device, reading(seq, 110 + (seq % 40) as i64))
                .await;
        }

        let server = Server::start(&db.url, &broker, client_id);
        let stored = wait_for(
            &app,
            "SELECT COUNT(*) FROM readings",
            TOTAL as i64,
            Duration::from_secs(60),
        )
        .await;
        // Let any redelivery of already-stored readings run through too.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut conn = app.store().acquire().await.expect("connection");
        let seqs: Vec<(i64,)> = sqlx::query_as("SELECT seq FROM readings ORDER BY seq")
            .fetch_all(&mut *conn)
            .await
            .expect("seqs");
        drop(conn);
        let expected: Vec<i64> = (1..=TOTAL as i64).collect();
        let got: Vec<i64> = seqs.into_iter().map(|s| s.0).collect();
        assert_eq!(
            got.len(),
            expected.len(),
            "{backend:?}: {stored} stored ({stored_at_kill} at the kill)"
        );
        assert_eq!(got, expected, "{backend:?}: every reading exactly once");
        eprintln!(
            "{backend:?}: {stored_at_kill} of {} stored at kill -9, all {TOTAL} exactly once after restart",
            TOTAL / 3
        );
        server.kill_9();
    }
}

/// One HTTP/1.1 request on a fresh connection: the status and the body.
async fn http(
    address: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Option<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok()?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.get(9..12)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((status, body))
}

/// Signs in as the admin and then reads and writes through the API until `stop`: the elder
/// record (audited), the device list, and new elders. Returns (answered, failed with 5xx).
async fn api_traffic(
    address: std::sync::Arc<std::sync::Mutex<String>>,
    elder_id: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> (u64, u64) {
    use std::sync::atomic::Ordering;
    let (mut answered, mut server_errors) = (0u64, 0u64);
    let mut token = String::new();
    let mut created = 0u32;
    while !stop.load(Ordering::Relaxed) {
        let at = address.lock().unwrap().clone();
        if token.is_empty() {
            let login = format!(
                r#"{{"username":"admin","password":"{}"}}"#,
                testkit::PASSWORD
            );
            match http(&at, "POST", "/api/v1/auth/login", "", &login).await {
                Some((200, body)) => {
                    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
                    token = value["token"].as_str().unwrap().to_string();
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
            continue;
        }
        let answers = [
            http(
                &at,
                "GET",
                &format!("/api/v1/elders/{elder_id}"),
                &token,
                "",
            )
            .await,
            http(&at, "GET", "/api/v1/devices?per_page=5", &token, "").await,
            {
                created += 1;
                // Sequence numbers are three digits: a new birth year every 400 elders.
                let id = testkit::id_number(
                    testkit::COUNTY_A,
                    1930 + (created / 400) as i32,
                    500 + (created % 400) as u16,
                    registry::Sex::Female,
                );
                let elder = format!(
                    r#"{{"name":"负载{created}","id_number":"{id}","region_code":"{}001"}}"#,
                    testkit::COUNTY_A
                );
                http(&at, "POST", "/api/v1/elders", &token, &elder).await
            },
        ];
        if answers.iter().all(Option::is_none) {
            // The server is down (the kill): try again shortly.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for answer in answers.into_iter().flatten() {
            answered += 1;
            if answer.0 >= 500 {
                server_errors += 1;
                eprintln!("api: {} {}", answer.0, answer.1);
            }
        }
    }
    (answered, server_errors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_400_000_readings_with_api_traffic_and_a_kill_9_is_stored_exactly_once() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    const DEVICES: usize = 20;
    const PER_DEVICE: u64 = 20_000;
    const BATCH: u64 = 50;
    const TOTAL: i64 = DEVICES as i64 * PER_DEVICE as i64;
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let broker = Broker::start();
        let (app, devices) = prepare(&db, &broker, DEVICES).await;
        let elder_id = {
            let mut conn = app.store().acquire().await.expect("connection");
            let (id,): (String,) = sqlx::query_as("SELECT elder_id FROM devices LIMIT 1")
                .fetch_one(&mut *conn)
                .await
                .expect("elder");
            id
        };
        let client_id = "yiyang-ingest";
        let server = Server::start(&db.url, &broker, client_id);
        let address = Arc::new(Mutex::new(server.address.clone()));
        let stop = Arc::new(AtomicBool::new(false));
        let traffic = tokio::spawn(api_traffic(address.clone(), elder_id, stop.clone()));

        // Every device publishes all its readings as fast as its connection takes them, in
        // messages of BATCH, QoS 1, without waiting for one acknowledgement before the next.
        let published = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let now = chrono::Utc::now();
        let mut publishers = Vec::new();
        for device in &devices {
            let mut publisher = Publisher::new(&broker, device);
            let device = device.id.clone();
            let published = published.clone();
            publishers.push(tokio::spawn(async move {
                let mut messages = 0;
                for start in (1..=PER_DEVICE).step_by(BATCH as usize) {
                    let batch: Vec<String> = (start..(start + BATCH).min(PER_DEVICE + 1))
                        .map(|seq| {
                            let ts = now - chrono::Duration::seconds((PER_DEVICE - seq) as i64);
                            format!(
                                r#"{{"seq":{seq},"ts":"{}","kind":"blood_pressure","systolic":{},"diastolic":{},"pulse":70}}"#,
                                ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                                112 + seq % 15,
                                72 + seq % 9
                            )
                        })
                        .collect();
                    let n = batch.len() as u64;
                    publisher
                        .client
                        .publish(
                            monitoring::device::topic_of_device(&device),
                            QoS::AtLeastOnce,
                            false,
                            format!("[{}]", batch.join(",")),
                        )
                        .await
                        .expect("publish");
                    messages += 1;
                    published.fetch_add(n, Ordering::Relaxed);
                }
                // Every message acknowledged by the broker: from here on it is the broker's.
                for _ in 0..messages {
                    tokio::time::timeout(Duration::from_secs(120), publisher.acks.recv())
                        .await
                        .expect("the broker acknowledged every message");
                }
            }));
        }

        // kill -9 in the middle of ingest, then a restart on the same persistent session.
        let killed_at = wait_for(
            &app,
            "SELECT COUNT(*) FROM readings",
            TOTAL / 3,
            Duration::from_secs(300),
        )
        .await;
        server.kill_9();
        let stored_at_kill = count(&app, "SELECT COUNT(*) FROM readings").await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let server = Server::start(&db.url, &broker, client_id);
        *address.lock().unwrap() = server.address.clone();

        for publisher in publishers {
            publisher.await.expect("publisher");
        }
        let publish_time = started.elapsed();
        let stored = wait_for(
            &app,
            "SELECT COUNT(*) FROM readings",
            TOTAL,
            Duration::from_secs(600),
        )
        .await;
        let total_time = started.elapsed();
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.store(true, Ordering::Relaxed);
        let (answered, server_errors) = traffic.await.expect("api traffic");

        assert_eq!(published.load(Ordering::Relaxed), TOTAL as u64);
        assert_eq!(stored, TOTAL, "{backend:?}: {stored} of {TOTAL} stored");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM readings").await,
            TOTAL,
            "{backend:?}: nothing stored twice"
        );
        let mut conn = app.store().acquire().await.expect("connection");
        let per_device: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT device_id, COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM readings GROUP BY device_id",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("per device");
        drop(conn);
        assert_eq!(per_device.len(), DEVICES);
        for (device, distinct, min, max) in per_device {
            assert_eq!(
                (distinct, min, max),
                (PER_DEVICE as i64, 1, PER_DEVICE as i64),
                "{backend:?}: {device} has every seq exactly once"
            );
        }
        assert!(
            answered > 0,
            "{backend:?}: the API answered during the burst"
        );
        assert_eq!(server_errors, 0, "{backend:?}: API errors during the burst");
        eprintln!(
            "{backend:?}: {TOTAL} readings from {DEVICES} devices published in {publish_time:.1?} \
             ({:.0}/s), all stored exactly once after {total_time:.1?} ({:.0}/s end to end); \
             kill -9 at {stored_at_kill} stored (waited for {killed_at}); {answered} API answers beside it",
            TOTAL as f64 / publish_time.as_secs_f64(),
            TOTAL as f64 / total_time.as_secs_f64(),
        );
        server.kill_9();
    }
}
