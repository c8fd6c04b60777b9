//! Full-process tests of the MQTT ingest against the real broker (Mosquitto at
//! 127.0.0.1:1883, or `YIYANG_TEST_MQTT_URL`): an abnormal reading becomes an alert, a resend
//! does not double it, and after `kill -9` of the server mid-stream every reading arrives
//! exactly once — acknowledged ones were committed before the acknowledgement, the rest are
//! redelivered by the broker to the persistent session after the restart. On every backend.

use mqtt::rumqttc::{AsyncClient, Event, Packet, QoS};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn broker() -> mqtt::BrokerUrl {
    let url = std::env::var("YIYANG_TEST_MQTT_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "mqtt://127.0.0.1:1883".into());
    mqtt::BrokerUrl::parse(&url).expect("broker url")
}

/// A running `yiyang serve`, killed with SIGKILL when dropped.
struct Server {
    child: Child,
}

impl Server {
    /// Starts the server and waits until its MQTT subscription is in place.
    fn start(database_url: &str, client_id: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yiyang"))
            .args([
                "serve",
                "--database-url",
                database_url,
                "--listen",
                "127.0.0.1:0",
                "--mqtt-url",
                &broker_url_text(),
                "--mqtt-client-id",
                client_id,
            ])
            .env("YIYANG_ADMIN_PASSWORD", testkit::PASSWORD)
            .env("YIYANG_LOG", "info,sqlx=warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start yiyang serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("mqtt: subscribed") {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(60))
            .expect("the server subscribed to the broker");
        Server { child }
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

fn broker_url_text() -> String {
    let b = broker();
    format!("mqtt://{}:{}", b.host, b.port)
}

/// A QoS 1 publisher whose event loop runs in the background; `publish` returns once the
/// broker has acknowledged the message (so it is the broker's to deliver).
struct Publisher {
    client: AsyncClient,
    acks: tokio::sync::mpsc::UnboundedReceiver<()>,
}

impl Publisher {
    fn new(name: &str) -> Publisher {
        let (client, mut eventloop) = mqtt::publisher(&broker(), name, 100);
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

/// Drops the broker's session of `client_id` (clean session connect), so no test leaves
/// queued messages behind.
async fn forget_session(client_id: &str) {
    let mut options = broker().options(client_id);
    options.set_clean_session(true);
    let (client, mut eventloop) = AsyncClient::new(options, 10);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(Event::Incoming(Packet::ConnAck(_))) = eventloop.poll().await {
                break;
            }
        }
    })
    .await;
    let _ = client.disconnect().await;
    let _ = tokio::time::timeout(Duration::from_secs(1), eventloop.poll()).await;
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

/// Registers a blood-pressure monitor for a fixture elder and returns the app (the test's own
/// connection to the same database).
async fn prepare(db: &testkit::TestDb, device: &str) -> app::App {
    let app = db.app().await;
    let fixture = testkit::Fixture::create(&app).await;
    let admin = app.system_actor("admin").await.expect("admin");
    app.register_device(&admin, device, "blood_pressure_monitor", &fixture.elder_a1)
        .await
        .expect("device");
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abnormal_reading_published_over_mqtt_becomes_one_alert_and_a_resend_does_not_double_it()
{
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let device = format!("BP-{}", uuid::Uuid::now_v7().simple());
        let app = prepare(&db, &device).await;
        let client_id = format!("yiyang-test-{}", uuid::Uuid::now_v7().simple());
        let server = Server::start(&db.url, &client_id);
        let mut publisher = Publisher::new(&format!("{client_id}-pub"));
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
        forget_session(&client_id).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_kill_9_mid_stream_every_reading_arrives_exactly_once() {
    const TOTAL: u64 = 600;
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let device = format!("BP-{}", uuid::Uuid::now_v7().simple());
        let app = prepare(&db, &device).await;
        let client_id = format!("yiyang-test-{}", uuid::Uuid::now_v7().simple());
        let server = Server::start(&db.url, &client_id);
        let mut publisher = Publisher::new(&format!("{client_id}-pub"));

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

        let server = Server::start(&db.url, &client_id);
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
        forget_session(&client_id).await;
    }
}
