//! Readings, vitals charts and per-elder thresholds.

pub mod pages;
pub mod readings;
pub mod thresholds;
