//! Roster import (CSV or Excel).

pub mod api;
pub mod pages;
