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
    pub trusted_proxies: Option<Vec<String>>,
    pub demo: Option<bool>,
    pub demo_elders: Option<usize>,
    pub assessment: Option<AssessmentConfig>,
    pub monitoring: Option<MonitoringConfig>,
}

/// `[monitoring]`: the MQTT broker, escalation delays and notification channels.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct MonitoringConfig {
    /// `mqtt://host:port` of the broker, or `off` (default mqtt://127.0.0.1:1883).
    pub mqtt_url: Option<String>,
    /// The subscriber's client id; the broker keeps its session (default yiyang-ingest).
    pub mqtt_client_id: Option<String>,
    /// The subscription; `$share/yiyang/yiyang/v1/devices/+/readings` for several servers.
    pub mqtt_filter: Option<String>,
    /// Minutes from an alert's opening to each escalation step (defaults 5, 15, 30).
    pub escalate_team_minutes: Option<i64>,
    pub escalate_family_minutes: Option<i64>,
    pub escalate_dispatch_minutes: Option<i64>,
    /// Channels besides the live board: any of `sms`, `wechat` (default both).
    pub channels: Option<Vec<String>>,
    /// How often the escalation job runs, in seconds (default 10).
    pub escalation_tick_seconds: Option<u64>,
    /// How often the silence and trend rules run, in minutes (default 10).
    pub sweep_minutes: Option<u64>,
}

pub const DEFAULT_MQTT_URL: &str = "mqtt://127.0.0.1:1883";

impl MonitoringConfig {
    pub fn settings(&self) -> Result<app::monitoring::MonitoringSettings> {
        let mut settings = app::monitoring::MonitoringSettings::default();
        let policy = &mut settings.escalation;
        if let Some(m) = self.escalate_team_minutes {
            policy.team_minutes = m;
        }
        if let Some(m) = self.escalate_family_minutes {
            policy.family_minutes = m;
        }
        if let Some(m) = self.escalate_dispatch_minutes {
            policy.dispatch_minutes = m;
        }
        if let Some((field, why)) = policy.check().into_iter().next() {
            bail!("monitoring.escalate_{field}: {why}");
        }
        if let Some(channels) = &self.channels {
            for c in channels {
                if !app::monitoring::notify::CHANNEL_CODES.contains(&c.as_str()) {
                    bail!("monitoring.channels: {c:?} is not in_app, sms or wechat");
                }
            }
            settings.channels = channels.clone();
        }
        Ok(settings)
    }
}

/// `[assessment]`: the open choices of the standards (shared/standards README, UNCONFIRMED
/// items) and the subsidy mapping. Every key is optional; the defaults are documented in the
/// `assessment` crate.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct AssessmentConfig {
    /// GB/T 42195 C.4: `one_in_total` (default) or `per_rule`.
    pub gbt_stacking: Option<String>,
    /// Morse bands: `cn_common` (default) or `morse_original`.
    pub morse_band_set: Option<String>,
    /// GDS-15 positive screen at total >= this (default 5).
    pub gds_positive_at: Option<i64>,
    /// The official long-term-care table (JSON file), once checked against the official text.
    pub ltc_table: Option<PathBuf>,
    /// `"instrument.band" = "self_care" | "semi_dependent" | "fully_dependent"`.
    pub subsidy_levels: Option<std::collections::BTreeMap<String, String>>,
    /// Provincial yuan per resident per year for the three levels (default 600, 1200, 2400).
    pub subsidy_provincial_yuan: Option<[i64; 3]>,
    /// Municipal yuan per resident per year (default 200).
    pub subsidy_municipal_yuan: Option<i64>,
}

impl AssessmentConfig {
    pub fn settings(&self) -> Result<app::assessments::AssessmentSettings> {
        let mut settings = app::assessments::AssessmentSettings::default();
        if let Some(text) = &self.gbt_stacking {
            settings.rules.gbt_stacking = assessment::Stacking::parse(text).with_context(|| {
                format!("assessment.gbt_stacking: {text:?} is not one_in_total or per_rule")
            })?;
        }
        if let Some(text) = &self.morse_band_set {
            settings.rules.morse_bands =
                assessment::MorseBandSet::parse(text).with_context(|| {
                    format!(
                        "assessment.morse_band_set: {text:?} is not cn_common or morse_original"
                    )
                })?;
        }
        if let Some(cutoff) = self.gds_positive_at {
            if !(1..=15).contains(&cutoff) {
                bail!("assessment.gds_positive_at: must be between 1 and 15");
            }
            settings.rules.gds_positive_at = cutoff;
        }
        if let Some(path) = &self.ltc_table {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("assessment.ltc_table: reading {}", path.display()))?;
            let table = assessment::LtcTable::parse(&text)
                .map_err(|e| anyhow::anyhow!("assessment.ltc_table {}: {e}", path.display()))?;
            settings.rules.ltc_table = Some(table);
        }
        for (key, level) in self.subsidy_levels.iter().flatten() {
            let (instrument, band) = key.split_once('.').with_context(|| {
                format!("assessment.subsidy_levels: key {key:?} must be instrument.band")
            })?;
            let known = assessment::catalog()
                .get(instrument)
                .is_some_and(|i| i.band(band).is_some());
            if !known {
                bail!("assessment.subsidy_levels: {key:?} names no band of an instrument");
            }
            let level = assessment::SelfCareLevel::parse(level).with_context(|| {
                format!("assessment.subsidy_levels.{key}: {level:?} is not self_care, semi_dependent or fully_dependent")
            })?;
            settings.subsidy.set(instrument, band, level);
        }
        if let Some(yuan) = self.subsidy_provincial_yuan {
            settings.subsidy.provincial_yuan = yuan;
        }
        if let Some(yuan) = self.subsidy_municipal_yuan {
            settings.subsidy.municipal_yuan = yuan;
        }
        Ok(settings)
    }
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
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

pub const DEFAULT_DATA_DIR: &str = "yiyang-data";
use cli::DATABASE_FILE;

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

    /// The proxies whose `X-Forwarded-For` is believed: the flag's list, else the file's.
    pub fn trusted_proxies(&self, flag: Option<&str>) -> Result<web::TrustedProxies> {
        let (text, origin) = match (flag, &self.trusted_proxies) {
            (Some(text), _) => (text.to_string(), "--trusted-proxies"),
            (None, Some(list)) => (list.join(","), "trusted_proxies"),
            (None, None) => return Ok(web::TrustedProxies::default()),
        };
        web::TrustedProxies::parse(&text).map_err(|e| anyhow::anyhow!("{origin}: {e}"))
    }

    /// Whether cookies are marked `Secure`: as the flag, else the file, says; by default
    /// everywhere but plain HTTP on this machine alone (a loopback listen address with no proxy
    /// in front), where a browser would not send them back.
    pub fn secure_cookies(
        &self,
        flag: Option<bool>,
        listen: std::net::SocketAddr,
        proxies: &web::TrustedProxies,
    ) -> bool {
        let plain_local = listen.ip().is_loopback() && proxies.is_empty();
        flag.or(self.secure_cookies).unwrap_or(!plain_local)
    }

    pub fn default_toml() -> String {
        format!(
            "# yiyang configuration. Every key can also be set by a YIYANG_* variable or a flag.\n\
             listen = \"127.0.0.1:8080\"\n\
             data_dir = \"{DEFAULT_DATA_DIR}\"\n\
             # database_url = \"postgres://postgres@127.0.0.1:5432/yiyang\"\n\
             # Secure cookies unless listening on loopback with no proxy; set to override:\n\
             # secure_cookies = true\n\
             # Reverse proxies whose X-Forwarded-For names the client (default none):\n\
             # trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n\
             demo = false\n\
             demo_elders = 20000\n\n\
             [assessment]\n\
             # GB/T 42195 C.4: do the dementia and risk-event rules add up? one_in_total | per_rule\n\
             gbt_stacking = \"one_in_total\"\n\
             # Morse fall bands: cn_common | morse_original\n\
             morse_band_set = \"cn_common\"\n\
             gds_positive_at = 5\n\
             # The official long-term-care table, once checked against the official text:\n\
             # ltc_table = \"ltc-2021-official.json\"\n\
             subsidy_provincial_yuan = [600, 1200, 2400]\n\
             subsidy_municipal_yuan = 200\n\
             # subsidy_levels = {{ \"gbt42195_2022.moderate\" = \"fully_dependent\" }}\n\n\
             [monitoring]\n\
             # The MQTT broker devices publish to, or \"off\"\n\
             mqtt_url = \"{DEFAULT_MQTT_URL}\"\n\
             mqtt_client_id = \"yiyang-ingest\"\n\
             # Several servers side by side: mqtt_filter = \"$share/yiyang/yiyang/v1/devices/+/readings\"\n\
             mqtt_filter = \"yiyang/v1/devices/+/readings\"\n\
             # Minutes without acknowledgement before each escalation step\n\
             escalate_team_minutes = 5\n\
             escalate_family_minutes = 15\n\
             escalate_dispatch_minutes = 30\n\
             channels = [\"sms\", \"wechat\"]\n\
             escalation_tick_seconds = 10\n\
             sweep_minutes = 10\n"
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
        let monitoring = parsed.monitoring.unwrap();
        assert_eq!(monitoring.mqtt_url.as_deref(), Some(DEFAULT_MQTT_URL));
        let settings = monitoring.settings().unwrap();
        assert_eq!(settings.escalation, monitoring::Policy::default());
        let bad = MonitoringConfig {
            escalate_family_minutes: Some(1),
            ..Default::default()
        };
        assert!(bad
            .settings()
            .unwrap_err()
            .to_string()
            .contains("family_minutes"));
    }

    #[test]
    fn cookies_are_secure_unless_served_plainly_on_loopback() {
        let none = web::TrustedProxies::default();
        let proxy = web::TrustedProxies::parse("127.0.0.1").unwrap();
        let loopback = "127.0.0.1:8080".parse().unwrap();
        let loopback_v6 = "[::1]:8080".parse().unwrap();
        let public = "0.0.0.0:8080".parse().unwrap();
        let default = Config::default();
        assert!(!default.secure_cookies(None, loopback, &none));
        assert!(!default.secure_cookies(None, loopback_v6, &none));
        assert!(default.secure_cookies(None, loopback, &proxy));
        assert!(default.secure_cookies(None, public, &none));
        // What is set wins: the flag over the file, the file over the default.
        let file_off = Config {
            secure_cookies: Some(false),
            ..Default::default()
        };
        assert!(!file_off.secure_cookies(None, public, &none));
        assert!(file_off.secure_cookies(Some(true), loopback, &none));
        assert!(!default.secure_cookies(Some(false), public, &proxy));
    }

    #[test]
    fn trusted_proxies_come_from_the_flag_else_the_file() {
        let file = Config {
            trusted_proxies: Some(vec!["10.0.0.0/8".into(), "127.0.0.1".into()]),
            ..Default::default()
        };
        let from_file = file.trusted_proxies(None).unwrap();
        assert_eq!(
            from_file,
            web::TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap()
        );
        assert!(file.trusted_proxies(Some("")).unwrap().is_empty());
        assert!(Config::default().trusted_proxies(None).unwrap().is_empty());
        let bad = file.trusted_proxies(Some("10.0.0.0/40")).unwrap_err();
        assert!(bad.to_string().contains("--trusted-proxies"), "{bad}");
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
