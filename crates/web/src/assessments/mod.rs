//! Standardized assessments: the instrument catalogue and scoring, records, the assessor's tablet flow.

pub mod api;
pub mod pages;
