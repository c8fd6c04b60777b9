//! Only `app` decides who may see or change a record, and the build proves there is no other
//! path: nothing but `app` (and the tools that seed or measure scratch databases through it)
//! depends on `store`, nothing but `app` builds the `store::Authorized` every personal-data query
//! takes, and the raw store accessor for tests never reaches a product build.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn manifest(krate: &str) -> toml::Table {
    let text = std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml"))
        .expect("manifest");
    toml::from_str(&text).expect("manifest parses")
}

fn crates() -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(workspace().join("crates"))
        .expect("crates dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    all.sort();
    all
}

fn normal_dependencies(krate: &str) -> toml::Table {
    manifest(krate)
        .get("dependencies")
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_default()
}

/// Crates that may hold the raw store: `app` itself, the backends, test support, and the tools
/// that fill or measure a marked demo or scratch database (they get their access from `app`).
const STORE_USERS: [&str; 6] = [
    "app",
    "store-sqlite",
    "store-postgres",
    "testkit",
    "demo",
    "bench",
];

#[test]
fn only_app_and_its_tools_depend_on_the_store() {
    for krate in crates() {
        let deps = normal_dependencies(&krate);
        for storage in ["store", "store-sqlite", "store-postgres"] {
            if deps.contains_key(storage) && krate != "store" {
                assert!(
                    STORE_USERS.contains(&krate.as_str()),
                    "{krate} depends on {storage}: only app may reach the store"
                );
            }
        }
    }
    for edge in ["web", "mqtt", "yiyang"] {
        let deps = normal_dependencies(edge);
        for forbidden in ["store", "store-sqlite", "store-postgres", "sqlx"] {
            assert!(
                !deps.contains_key(forbidden),
                "{edge} depends on {forbidden}"
            );
        }
    }
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn only_app_builds_the_authorization_value() {
    let root = workspace();
    let mut offenders = Vec::new();
    for krate in crates() {
        if krate == "app" || krate == "testkit" {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&root.join("crates").join(&krate).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("source");
            let defines = file.ends_with("store/src/authorized.rs");
            if !defines && (text.contains("Authorized::new") || text.contains("Authorized {")) {
                offenders.push(file.display().to_string());
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "only app may build store::Authorized: {offenders:?}"
    );
}

#[test]
fn the_raw_store_for_tests_never_reaches_a_product_build() {
    for krate in crates() {
        if krate == "testkit" {
            continue;
        }
        if let Some(app) = normal_dependencies(&krate).get("app") {
            let features = app
                .get("features")
                .and_then(|f| f.as_array())
                .cloned()
                .unwrap_or_default();
            assert!(
                !features.iter().any(|f| f.as_str() == Some("test-support")),
                "{krate} turns on app's test-support feature"
            );
        }
    }
}
