//! The ingest writer runs under the supervisor: when it panics in the middle of its work it is
//! restarted, the queue survives, and every submission is answered (none waits for ever).

use app::monitoring::ingest::{IngestError, Source, Submission};
use app::tasks::{Backoff, TaskState, Tasks};
use std::time::Duration;

fn reading(seq: u64) -> Vec<u8> {
    format!(
        r#"{{"seq":{seq},"ts":"{}","kind":"blood_pressure","systolic":128,"diastolic":82}}"#,
        chrono::Utc::now().to_rfc3339()
    )
    .into_bytes()
}

#[tokio::test]
async fn the_ingest_writer_restarts_after_a_panic_and_answers_every_submission() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await.with_tasks(Tasks::with_backoff(Backoff {
            first: Duration::from_millis(50),
            max: Duration::from_secs(1),
        }));
        let fixture = testkit::Fixture::create(&app).await;
        let admin = testkit::bootstrap_admin(&app).await;
        app.register_device(&admin, "T-1", "blood_pressure_monitor", &fixture.elder_a1)
            .await
            .unwrap();
        let ingest = app.ingest();

        // A reply that panics brings the writer down after its commit.
        ingest
            .submit(Submission {
                source: Source::Mqtt {
                    device_id: "T-1".into(),
                },
                payload: reading(1),
                received_at: chrono::Utc::now(),
                retry_until_stored: false,
                reply: Box::new(|_| panic!("injected into the ingest writer")),
            })
            .await
            .unwrap();
        let mut waited = 0;
        while app
            .tasks()
            .report()
            .iter()
            .all(|t| t.name != "ingest_writer" || t.restarts == 0)
            && waited < 200
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
            waited += 1;
        }

        // The restarted writer takes up the same queue.
        let report = tokio::time::timeout(
            Duration::from_secs(10),
            ingest.submit_and_wait(
                Source::Http {
                    device_id: "T-1".into(),
                },
                reading(2),
                chrono::Utc::now(),
            ),
        )
        .await
        .expect("answered")
        .unwrap_or_else(|e: IngestError| panic!("{}: {e}", backend.name()));
        assert_eq!(report.accepted, 1, "{}", backend.name());
        let writer = app
            .tasks()
            .report()
            .into_iter()
            .find(|t| t.name == "ingest_writer")
            .expect("the writer is supervised");
        assert_eq!(
            (writer.state, writer.restarts),
            (TaskState::Running, 1),
            "{}",
            backend.name()
        );
        assert_eq!(
            writer.last_panic.as_deref(),
            Some("injected into the ingest writer")
        );
    }
}
