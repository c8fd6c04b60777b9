//! Counting events per key in a sliding window: searches by number, which could otherwise
//! enumerate phone or identity numbers.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

pub struct SlidingWindow {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

impl SlidingWindow {
    pub fn new(max: usize, window: Duration) -> SlidingWindow {
        SlidingWindow {
            max,
            window,
            events: Mutex::default(),
        }
    }

    /// Counts one event for `key` at `now`, or returns the seconds until the next one is
    /// allowed when `key` already had `max` in the window (the refused one is not counted).
    pub fn admit(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let mut events = self.events.lock().expect("rate window lock");
        if events.len() > 100_000 {
            events.retain(|_, times| times.last().is_some_and(|t| *t > now - self.window));
        }
        let times = events.entry(key.to_string()).or_default();
        times.retain(|t| *t > now - self.window);
        if times.len() >= self.max {
            let retry = (times[0] + self.window - now).num_seconds().max(1);
            return Err(retry as u64);
        }
        times.push(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_admits_max_events_then_refuses_until_the_oldest_leaves() {
        let window = SlidingWindow::new(3, Duration::seconds(60));
        let t0 = Utc::now();
        for i in 0..3 {
            assert!(window.admit("u", t0 + Duration::seconds(i)).is_ok());
        }
        assert_eq!(window.admit("u", t0 + Duration::seconds(10)), Err(50));
        assert!(window.admit("other", t0 + Duration::seconds(10)).is_ok());
        // An event exactly 60 s old has left the window: one more is admitted, not two.
        assert!(window.admit("u", t0 + Duration::seconds(59)).is_err());
        assert!(window.admit("u", t0 + Duration::seconds(60)).is_ok());
        assert!(window.admit("u", t0 + Duration::seconds(60)).is_err());
    }
}
