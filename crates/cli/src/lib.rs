//! What the command-line tools share (the `yiyang` binary, the device simulator, the
//! benchmarks): progress on stderr, how a use-case error reads on a terminal, and where the
//! embedded database lives in a data directory.

mod progress;

pub use progress::{Progress, StatusLine};

/// The SQLite file in a data directory (`--data-dir`).
pub const DATABASE_FILE: &str = "yiyang.db";

/// A use-case error as the command line shows it: each invalid field on a line of its own, in
/// the language of `LANG` (Chinese unless it starts with `en`).
pub fn app_error(error: app::AppError) -> anyhow::Error {
    let lang = registry::Lang::parse(&std::env::var("LANG").unwrap_or_default());
    let lang = if lang == registry::Lang::En {
        lang
    } else {
        registry::Lang::Zh
    };
    match &error {
        app::AppError::Invalid(errors) => {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.problem.message(lang)))
                .collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        _ => anyhow::anyhow!("{error}"),
    }
}
