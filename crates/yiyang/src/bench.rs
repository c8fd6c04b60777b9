//! `yiyang bench …`: figures for the speed and size targets (filled in with the benchmark).

use clap::Args;

#[derive(Args)]
pub struct RegistryArgs {
    /// Elders to generate for the measurement [default: 1000000]
    #[arg(long, default_value_t = 1_000_000)]
    pub elders: usize,
    /// Also measure on this PostgreSQL server (a scratch database is created and dropped).
    #[arg(long, env = "YIYANG_BENCH_POSTGRES_URL")]
    pub postgres_url: Option<String>,
}

pub async fn registry(_args: RegistryArgs) -> anyhow::Result<()> {
    anyhow::bail!("bench registry is not built yet")
}
