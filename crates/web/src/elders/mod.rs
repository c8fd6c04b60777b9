//! The elderly record: create, read, list and search, edit, history.

pub mod api;
pub mod pages;
