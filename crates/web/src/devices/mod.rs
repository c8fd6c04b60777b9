//! Home monitoring devices: registry, credentials, binding.

pub mod api;
pub mod pages;
