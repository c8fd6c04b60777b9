//! A panic in a supervised task is logged with the task's name (alone in its test binary:
//! tracing caches per call site whether anyone listens, and another test's thread without a
//! subscriber would race with this one's).

use app::tasks::{Need, Tasks};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The log lines of the test's thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_panic_is_logged_with_the_task_name() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let tasks = Tasks::default();
    let runs = Arc::new(AtomicU32::new(0));
    let counter = runs.clone();
    tasks.spawn("escalation", Need::Required, move || {
        let run = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if run == 0 {
                panic!("injected into escalation");
            }
            std::future::pending::<()>().await
        }
    });
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 2, "restarted once");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("ERROR"), "{log}");
    assert!(log.contains("task=\"escalation\""), "{log}");
    assert!(log.contains("injected into escalation"), "{log}");
    assert!(log.contains("restarting in 1 s"), "{log}");
}
