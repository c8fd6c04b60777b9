//! The audit log: search.

pub mod api;
pub mod pages;
