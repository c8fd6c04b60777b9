//! The demo-database marker at the command line: `yiyang demo`, `yiyang demo devices` and
//! `yiyang serve --demo` refuse a database that holds records and no demo marker (non-zero exit
//! status, a clear message, nothing added), while `serve --demo` still fills an empty database,
//! marks it, and runs its background tasks under the supervisor that `/healthz` reports.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const REFUSAL: &str = "this database is not a yiyang demo database (no demo marker); refusing to \
                       add simulated data to it";

fn yiyang() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_yiyang"));
    command
        .env("YIYANG_ADMIN_PASSWORD", testkit::PASSWORD)
        .env("LANG", "en_US.UTF-8")
        .env("YIYANG_LOG", "info,sqlx=warn")
        .env_remove("YIYANG_CONFIG")
        .env_remove("YIYANG_DEMO");
    command
}

fn run(args: &[&str]) -> Output {
    yiyang().args(args).output().expect("run yiyang")
}

#[tokio::test]
async fn every_seeding_command_refuses_a_database_without_the_demo_marker() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await;
        testkit::Fixture::create(&app).await;
        let admin = testkit::bootstrap_admin(&app).await;
        let elders = || async {
            app.list_elders(&admin, &Default::default(), app::Page::default())
                .await
                .unwrap()
                .1
        };
        let devices = || async {
            app.list_devices(&admin, None, app::Page::default())
                .await
                .unwrap()
                .1
        };
        let (elders_before, devices_before) = (elders().await, devices().await);
        let url = db.url.as_str();
        for args in [
            &["demo", "--database-url", url, "--elders", "10"][..],
            &[
                "demo",
                "devices",
                "--database-url",
                url,
                "--devices",
                "2",
                "--mqtt-url",
                "mqtt://yiyang:unused@127.0.0.1:1",
                "--duration-seconds",
                "0",
            ],
            &[
                "serve",
                "--database-url",
                url,
                "--demo",
                "--demo-elders",
                "10",
                "--listen",
                "127.0.0.1:0",
                "--mqtt-url",
                "off",
            ],
        ] {
            let out = run(args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success(),
                "{}: {args:?} succeeded",
                backend.name()
            );
            assert!(
                stderr.contains(REFUSAL),
                "{}: {args:?}: {stderr}",
                backend.name()
            );
        }
        assert!(!app.is_demo_database().await.unwrap());
        assert_eq!(elders().await, elders_before);
        assert_eq!(devices().await, devices_before);
    }
}

/// A `GET` on the running server; the status and the body.
fn get(address: &str, path: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).expect("response");
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

#[tokio::test]
async fn serve_demo_fills_an_empty_database_marks_it_and_reports_its_tasks() {
    let db = testkit::TestDb::new(&testkit::Backend::Sqlite).await;
    let mut child = yiyang()
        .args([
            "serve",
            "--database-url",
            &db.url,
            "--demo",
            "--demo-elders",
            "300",
            "--listen",
            "127.0.0.1:0",
            "--mqtt-url",
            "off",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start yiyang serve");
    let stdout = child.stdout.take().expect("stdout");
    let address = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("yiyang listening on http://")
                .map(str::to_string)
        });
    let Some(address) = address else {
        let _ = child.kill();
        panic!("the server did not start");
    };
    let (status, body) = get(&address, "/healthz");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(body.trim()).expect("JSON");
    for task in [
        "ingest_writer",
        "escalation",
        "monitoring_sweep",
        "session_cleanup",
    ] {
        assert_eq!(health["tasks"][task], "running", "{health}");
    }
    assert_eq!(health["status"], "ok");

    let app = db.app().await;
    assert!(app.is_demo_database().await.unwrap());
    let admin = testkit::bootstrap_admin(&app).await;
    let (_, elders) = app
        .list_elders(&admin, &Default::default(), app::Page::default())
        .await
        .unwrap();
    assert_eq!(elders, 300);
}
