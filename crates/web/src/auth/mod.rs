//! Signing in and out: bearer tokens and sessions (API), the sign-in form and the language switch (pages).

pub mod api;
pub mod pages;
