//! Organizations: list, detail, create, edit.

pub mod api;
pub mod pages;
