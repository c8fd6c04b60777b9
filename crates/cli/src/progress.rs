//! Progress on stderr for long-running commands: a line redrawn in place on a terminal,
//! a line every few seconds otherwise (logs, CI).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One status line on stderr: redrawn in place on a terminal (event lines go above it), a new
/// line each time otherwise.
#[derive(Debug, Clone, Copy)]
pub struct StatusLine {
    pub terminal: bool,
}

impl StatusLine {
    pub fn stderr() -> StatusLine {
        StatusLine {
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Shows `text` as the status.
    pub fn draw(&self, text: &str) {
        self.put(text, "");
    }

    /// Writes `text` as a line of its own (over the status on a terminal).
    pub fn line(&self, text: &str) {
        self.put(text, "\n");
    }

    /// On a terminal, `text` over the status and then `end`; otherwise `text` on a new line.
    fn put(&self, text: &str, end: &str) {
        let mut err = std::io::stderr();
        let _ = if self.terminal {
            write!(err, "\r{text}\x1b[K{end}")
        } else {
            writeln!(err, "{text}")
        };
        let _ = err.flush();
    }

    /// Ends the status line on a terminal, so that what follows starts on a line of its own.
    pub fn end(&self) {
        if self.terminal {
            let _ = writeln!(std::io::stderr());
        }
    }
}

pub struct Progress {
    label: &'static str,
    total: AtomicU64,
    done: AtomicU64,
    started: Instant,
    last_draw: Mutex<Instant>,
    status: StatusLine,
}

impl Progress {
    pub fn new(label: &'static str, total: u64) -> Progress {
        Progress {
            label,
            total: AtomicU64::new(total),
            done: AtomicU64::new(0),
            started: Instant::now(),
            last_draw: Mutex::new(Instant::now() - Duration::from_secs(60)),
            status: StatusLine::stderr(),
        }
    }

    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn set(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
        let interval = if self.status.terminal {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(2)
        };
        let mut last = self.last_draw.lock().expect("progress lock");
        if last.elapsed() < interval {
            return;
        }
        *last = Instant::now();
        self.draw(done);
    }

    fn draw(&self, done: u64) {
        let total = self.total.load(Ordering::Relaxed);
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            done as f64 / elapsed
        } else {
            0.0
        };
        let line = if total > 0 {
            let pct = (done as f64 / total as f64 * 100.0).min(100.0);
            format!(
                "{}: {done}/{total} ({pct:.0}%), {rate:.0}/s, {elapsed:.1} s",
                self.label
            )
        } else {
            format!("{}: {done}, {elapsed:.1} s", self.label)
        };
        self.status.draw(&line);
    }

    /// Draws the final count (throttled updates may have skipped it) and ends the line.
    pub fn finish(&self) {
        self.draw(self.done.load(Ordering::Relaxed));
        self.status.end();
    }
}
