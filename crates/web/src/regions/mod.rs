//! Administrative divisions.

pub mod api;
