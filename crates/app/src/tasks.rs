//! The one supervisor of background tasks: the ingest writer, the MQTT subscriber, the
//! escalation job, the monitoring sweep and the session clean-up. A task that panics is logged
//! with its name and restarted after a back-off (1 s, doubling to 60 s; back to 1 s once it has
//! run a minute without failing), and `/healthz` reports each task's state through
//! [`Tasks::report`], so a stopped escalation job is seen instead of silently missing.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// What a supervised task is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Running,
    /// It panicked and waits for its restart.
    Restarting,
    /// It returned: its work is over (the process is stopping).
    Stopped,
}

impl TaskState {
    pub fn code(self) -> &'static str {
        match self {
            TaskState::Running => "running",
            TaskState::Restarting => "restarting",
            TaskState::Stopped => "stopped",
        }
    }
}

/// Whether the service is whole without the task: escalation to families and to 120 is, a
/// clean-up of expired sessions is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    Optional,
}

/// One task as `/healthz` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskReport {
    pub name: &'static str,
    pub state: TaskState,
    pub need: Need,
    pub restarts: u64,
    /// The message of the last panic.
    pub last_panic: Option<String>,
}

impl TaskReport {
    /// A required task that is not running.
    pub fn is_down(&self) -> bool {
        self.need == Need::Required && self.state != TaskState::Running
    }
}

/// How long to wait before a restart.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(60),
        }
    }
}

/// The registry of supervised tasks, shared by everyone holding the `App`.
#[derive(Clone, Default)]
pub struct Tasks {
    tasks: Arc<Mutex<BTreeMap<&'static str, TaskReport>>>,
    backoff: Backoff,
}

impl Tasks {
    pub fn with_backoff(backoff: Backoff) -> Tasks {
        Tasks {
            tasks: Arc::default(),
            backoff,
        }
    }

    /// Runs the future `start` makes under supervision: when it panics, the panic is logged
    /// with `name` and a new one is started after the back-off. A task that returns is done.
    pub fn spawn<F, Fut>(&self, name: &'static str, need: Need, mut start: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.set(name, |t| {
            t.state = TaskState::Running;
            t.need = need;
        });
        let tasks = self.clone();
        tokio::spawn(async move {
            let mut delay = tasks.backoff.first;
            loop {
                tasks.set(name, |t| t.state = TaskState::Running);
                let started = Instant::now();
                let outcome = tokio::spawn(start()).await;
                let error = match outcome {
                    Ok(()) => {
                        tasks.set(name, |t| t.state = TaskState::Stopped);
                        tracing::info!(task = name, "background task ended");
                        return;
                    }
                    Err(error) if error.is_panic() => error,
                    Err(_) => {
                        tasks.set(name, |t| t.state = TaskState::Stopped);
                        return;
                    }
                };
                let message = panic_message(error.into_panic());
                if started.elapsed() >= tasks.backoff.max {
                    delay = tasks.backoff.first;
                }
                tracing::error!(
                    task = name,
                    panic = %message,
                    "background task {name} panicked; restarting in {} s",
                    delay.as_secs_f64()
                );
                tasks.set(name, |t| {
                    t.state = TaskState::Restarting;
                    t.restarts += 1;
                    t.last_panic = Some(message.clone());
                });
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(tasks.backoff.max);
            }
        });
    }

    /// Every task, by name.
    pub fn report(&self) -> Vec<TaskReport> {
        self.tasks
            .lock()
            .map(|t| t.values().cloned().collect())
            .unwrap_or_default()
    }

    /// One task's state, if it was started.
    pub fn state(&self, name: &str) -> Option<TaskState> {
        self.report()
            .into_iter()
            .find(|t| t.name == name)
            .map(|t| t.state)
    }

    fn set(&self, name: &'static str, change: impl FnOnce(&mut TaskReport)) {
        if let Ok(mut tasks) = self.tasks.lock() {
            let task = tasks.entry(name).or_insert(TaskReport {
                name,
                state: TaskState::Running,
                need: Need::Required,
                restarts: 0,
                last_panic: None,
            });
            change(task);
        }
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast::<&'static str>()
            .map(|t| t.to_string())
            .unwrap_or_else(|_| "a panic without a message".into()),
    }
}

impl crate::App {
    /// The supervised background tasks of this process.
    pub fn tasks(&self) -> &Tasks {
        &self.tasks
    }

    /// Replaces the supervisor (tests use a short back-off). Call before starting any task.
    pub fn with_tasks(mut self, tasks: Tasks) -> crate::App {
        self.tasks = tasks;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_is_restarted_with_a_growing_back_off() {
        let tasks = Tasks::default();
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        tasks.spawn("flaky", Need::Required, move || {
            let run = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if run < 2 {
                    panic!("injected failure {run}");
                }
                std::future::pending::<()>().await
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let report = tasks.report();
        assert_eq!(report[0].state, TaskState::Restarting);
        assert_eq!(report[0].last_panic.as_deref(), Some("injected failure 0"));
        assert!(report[0].is_down());
        // 1 s, then 2 s.
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        assert_eq!(tasks.state("flaky"), Some(TaskState::Restarting));
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "the second wait is longer");
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        let report = tasks.report();
        assert_eq!(
            (report[0].state, report[0].restarts),
            (TaskState::Running, 2)
        );
        assert!(!report[0].is_down());
    }

    #[tokio::test]
    async fn a_task_that_returns_is_stopped_and_an_optional_one_never_down() {
        let tasks = Tasks::default();
        tasks.spawn("once", Need::Optional, || async {});
        for _ in 0..100 {
            if tasks.state("once") == Some(TaskState::Stopped) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let report = tasks.report();
        assert_eq!(report[0].state, TaskState::Stopped);
        assert!(!report[0].is_down());
    }
}
