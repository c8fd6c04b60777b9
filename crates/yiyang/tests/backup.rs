//! `yiyang backup` and `yiyang restore` on the embedded database: a backup taken while readings
//! are being ingested holds every reading acknowledged before it began, restores into a working
//! database, and a restore over a database in use is refused.

use std::process::Command;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn yiyang(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_yiyang"))
        .args(args)
        .env("YIYANG_LOG", "warn")
        .output()
        .expect("run yiyang");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn reading(seq: i64) -> String {
    format!(
        r#"{{"seq":{seq},"ts":"{}","kind":"blood_pressure","systolic":{},"diastolic":80}}"#,
        chrono::Utc::now().to_rfc3339(),
        110 + seq % 30
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_ingest_restores_every_acknowledged_reading() {
    let db = testkit::TestDb::new(&testkit::Backend::Sqlite).await;
    let app = db.app().await;
    let fixture = testkit::Fixture::create(&app).await;
    let admin = app.system_actor("admin").await.expect("admin");
    app.register_device(
        &admin,
        "BP-BACKUP",
        "blood_pressure_monitor",
        &fixture.elder_a1,
    )
    .await
    .expect("device");
    let ingest = app.ingest();
    // Readings in order, each batch acknowledged before the next: `acknowledged` is the highest
    // seq the pipeline has confirmed as stored.
    let acknowledged = Arc::new(AtomicI64::new(0));
    let writer = {
        let acknowledged = acknowledged.clone();
        tokio::spawn(async move {
            for batch in 0..400i64 {
                let seqs = batch * 50 + 1..=batch * 50 + 50;
                let payload = format!(
                    "[{}]",
                    seqs.clone().map(reading).collect::<Vec<_>>().join(",")
                );
                let report = ingest
                    .submit_and_wait(
                        app::monitoring::ingest::Source::Http {
                            device_id: "BP-BACKUP".into(),
                        },
                        payload.into_bytes(),
                        chrono::Utc::now(),
                    )
                    .await
                    .expect("stored");
                assert_eq!(report.accepted, 50);
                acknowledged.store(*seqs.end(), Ordering::SeqCst);
            }
        })
    };
    while acknowledged.load(Ordering::SeqCst) < 2_000 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dir = std::env::temp_dir().join(format!("yiyang-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let backup_file = dir.join("backup.db");
    let before_backup = acknowledged.load(Ordering::SeqCst);
    let backup_path = backup_file.to_str().unwrap().to_string();
    let url = db.url.clone();
    let (ok, text) = tokio::task::spawn_blocking(move || {
        yiyang(&["backup", "--database-url", &url, "--to", &backup_path])
    })
    .await
    .unwrap();
    assert!(ok, "backup: {text}");
    let after_backup = acknowledged.load(Ordering::SeqCst);
    writer
        .await
        .expect("the ingest kept going during the backup");
    assert!(
        after_backup > before_backup,
        "ingest went on while the backup ran ({before_backup} → {after_backup})"
    );

    // A backup never overwrites.
    let (ok, text) = yiyang(&[
        "backup",
        "--database-url",
        &db.url,
        "--to",
        backup_file.to_str().unwrap(),
    ]);
    assert!(!ok && text.contains("exists"), "{text}");

    // Restore into a new place and count.
    let restored = dir.join("restored.db");
    let restored_url = format!("sqlite://{}", restored.display());
    let (ok, text) = yiyang(&[
        "restore",
        backup_file.to_str().unwrap(),
        "--database-url",
        &restored_url,
    ]);
    assert!(ok, "restore: {text}");
    let restored_app = testkit::TestDb::open_app(&restored_url).await;
    let mut conn = restored_app.store().acquire().await.unwrap();
    let (count, max): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM readings WHERE device_id = 'BP-BACKUP'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    assert!(
        count >= before_backup,
        "the backup lost acknowledged readings: {count} restored, {before_backup} acknowledged before it began"
    );
    assert_eq!(
        count, max,
        "the restored readings are exactly 1..={max}, nothing half-written"
    );
    eprintln!("backup during ingest: {before_backup} acknowledged before, {count} in the backup, {after_backup} after");

    // While a process has it open, the database is not replaced.
    let (ok, text) = yiyang(&[
        "restore",
        backup_file.to_str().unwrap(),
        "--database-url",
        &restored_url,
    ]);
    assert!(
        !ok && text.contains("in use"),
        "restored over an open database: {text}"
    );
    restored_app.close().await;
    let (ok, text) = yiyang(&[
        "restore",
        backup_file.to_str().unwrap(),
        "--database-url",
        &restored_url,
    ]);
    assert!(ok, "restore once closed: {text}");
    assert!(
        text.contains("replaced-"),
        "says where the replaced file went: {text}"
    );

    // A file that is not a database is refused.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let (ok, _) = yiyang(&[
        "restore",
        junk.to_str().unwrap(),
        "--database-url",
        &restored_url,
    ]);
    assert!(!ok);
    let _ = std::fs::remove_dir_all(&dir);
}
