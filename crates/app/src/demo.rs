//! The synthetic demo county: plausible people, valid identity numbers, realistic ages and
//! prevalence, institutions, staff and the demo users. Deterministic for a seed. Only synthetic
//! data, ever.

use crate::{App, Result};

pub const DEFAULT_ELDERS: usize = 20_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub elders: usize,
    pub seed: u64,
    /// Password of the demo users; generated (and returned) when None.
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct DemoSummary {
    pub elders: usize,
    pub organizations: usize,
    pub regions: usize,
    pub users: usize,
    pub seconds: f64,
    pub generated_password: Option<String>,
}

/// Fills the database with the demo region. `progress` is called with the number of elders
/// stored so far.
pub async fn generate(
    _app: &App,
    _options: &DemoOptions,
    _progress: &(dyn Fn(u64) + Sync),
) -> Result<DemoSummary> {
    Err(crate::AppError::Internal(
        "demo generator not built yet".into(),
    ))
}
