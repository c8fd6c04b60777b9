//! User accounts: list, create, edit.

pub mod api;
pub mod pages;
