//! Configuration, parsed once: defaults → `yiyang.toml` → `YIYANG_*` environment → flags
//! (clap reads the last two, so a flag or variable wins over the file).

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Args, Clone, Default)]
pub struct DbArgs {
    /// Directory for the embedded SQLite database [default: ./yiyang-data]
    #[arg(long, env = "YIYANG_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL, e.g. postgres://user@host/db (overrides --data-dir)
    #[arg(long, env = "YIYANG_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub demo: Option<bool>,
    pub demo_elders: Option<usize>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_deref().map(app::redact_url),
            )
            .field("secure_cookies", &self.secure_cookies)
            .finish()
    }
}

pub const DEFAULT_DATA_DIR: &str = "yiyang-data";
pub const DATABASE_FILE: &str = "yiyang.db";

impl Config {
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("yiyang.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("reading configuration {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(Config::default())
            }
            Err(e) => Err(e).with_context(|| format!("reading configuration {}", path.display())),
        }
    }

    /// The database URL: `--database-url`, else the file's, else the SQLite file in the data
    /// directory (created if missing).
    pub fn database_url(&self, args: &DbArgs) -> Result<String> {
        if let Some(url) = args
            .database_url
            .clone()
            .or(self.database_url.clone())
            .filter(|u| !u.is_empty())
        {
            if app::backend_of(&url).is_none() {
                bail!(
                    "unsupported database URL {} (use postgres://... or sqlite://FILE?mode=rwc)",
                    app::redact_url(&url)
                );
            }
            return Ok(url);
        }
        let dir = args
            .data_dir
            .clone()
            .or(self.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            dir.join(DATABASE_FILE).display()
        ))
    }

    pub fn default_toml() -> String {
        format!(
            "# yiyang configuration. Every key can also be set by a YIYANG_* variable or a flag.\n\
             listen = \"127.0.0.1:8080\"\n\
             data_dir = \"{DEFAULT_DATA_DIR}\"\n\
             # database_url = \"postgres://postgres@127.0.0.1:5432/yiyang\"\n\
             secure_cookies = false\n\
             demo = false\n\
             demo_elders = 20000\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_parses_back() {
        let parsed: Config = toml::from_str(&Config::default_toml()).unwrap();
        assert_eq!(parsed.listen.as_deref(), Some("127.0.0.1:8080"));
    }

    #[test]
    fn flags_win_over_the_file_and_bad_urls_are_refused() {
        let file = Config {
            database_url: Some("postgres://a@b/c".into()),
            ..Default::default()
        };
        let flags = DbArgs {
            database_url: Some("postgres://x@y/z".into()),
            data_dir: None,
        };
        assert_eq!(file.database_url(&flags).unwrap(), "postgres://x@y/z");
        assert_eq!(
            file.database_url(&DbArgs::default()).unwrap(),
            "postgres://a@b/c"
        );
        let typo = DbArgs {
            database_url: Some("postgress://x".into()),
            data_dir: None,
        };
        assert!(file.database_url(&typo).is_err());
        assert!(format!(
            "{:?}",
            Config {
                database_url: Some("postgres://u:pw@h/d".into()),
                ..Default::default()
            }
        )
        .contains("***"));
    }
}
