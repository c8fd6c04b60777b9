//! `/healthz` reports the supervised background tasks: a required task that panicked is shown
//! as restarting and the answer is 503 until the supervisor has it running again.

use app::tasks::{Backoff, Need, Tasks};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

async fn healthz(router: &axum::Router) -> (StatusCode, serde_json::Value) {
    let response = router
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn healthz_reports_a_panicked_task_until_it_runs_again() {
    for backend in testkit::backends() {
        let db = testkit::TestDb::new(&backend).await;
        let app = db.app().await.with_tasks(Tasks::with_backoff(Backoff {
            first: Duration::from_millis(300),
            max: Duration::from_secs(1),
        }));
        let router = web::router(web::WebState::new(app.clone()));

        let (status, health) = healthz(&router).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(health["status"], "ok");
        assert_eq!(health["tasks"], serde_json::json!({}));

        // The ingest writer is supervised too.
        let _ = app.ingest();
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        app.tasks().spawn("escalation", Need::Required, move || {
            let run = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if run == 0 {
                    panic!("injected failure");
                }
                std::future::pending::<()>().await
            }
        });
        app.tasks()
            .spawn("session_cleanup", Need::Optional, || async {
                panic!("injected failure of an optional task")
            });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (status, health) = healthz(&router).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
        assert_eq!(health["status"], "degraded");
        assert_eq!(health["database_reachable"], true);
        assert_eq!(health["database"], backend.name());
        assert_eq!(health["tasks"]["escalation"], "restarting");
        assert_eq!(health["tasks"]["ingest_writer"], "running");
        assert_eq!(health["tasks"]["session_cleanup"], "restarting");

        let mut waited = 0;
        while runs.load(Ordering::SeqCst) < 2 && waited < 100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (status, health) = healthz(&router).await;
        assert_eq!(health["tasks"]["escalation"], "running", "{health}");
        // An optional task that keeps failing is shown, but the service is whole without it.
        assert!(health["tasks"]["session_cleanup"].is_string());
        assert_eq!((status, &health["status"]), (StatusCode::OK, &"ok".into()));
    }
}
