//! The home page and its counts.

pub mod api;
pub mod pages;
