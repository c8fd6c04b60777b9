//! Keeps ARCHITECTURE.md honest and the dependency direction one way.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn crates() -> BTreeSet<String> {
    std::fs::read_dir(workspace().join("crates"))
        .expect("crates dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect()
}

fn dependencies(krate: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml"))
        .expect("manifest");
    let manifest: toml::Table = toml::from_str(&text).expect("manifest parses");
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn every_crate_has_an_entry_in_the_code_map() {
    let map =
        std::fs::read_to_string(workspace().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    for krate in crates() {
        let listed = map
            .lines()
            .any(|l| l.starts_with("### ") && l.contains(&format!("`{krate}`")));
        assert!(
            listed,
            "ARCHITECTURE.md has no code-map entry for crate {krate}"
        );
    }
}

/// Pure domain crates: rules and types only.
const DOMAIN: [&str; 6] = [
    "region",
    "registry",
    "access",
    "assessment",
    "monitoring",
    "interop",
];
const FORBIDDEN_IN_DOMAIN: [&str; 8] = [
    "sqlx", "axum", "tokio", "rumqttc", "store", "app", "web", "tower",
];

#[test]
fn domain_crates_never_depend_on_storage_web_or_runtime() {
    let all = crates();
    for krate in DOMAIN {
        assert!(all.contains(krate), "domain crate {krate} exists");
        let deps = dependencies(krate);
        for forbidden in FORBIDDEN_IN_DOMAIN {
            assert!(
                !deps.contains(forbidden),
                "domain crate {krate} depends on {forbidden}"
            );
        }
        for dep in &deps {
            if all.contains(dep) {
                assert!(
                    DOMAIN.contains(&dep.as_str()),
                    "domain crate {krate} depends on non-domain crate {dep}"
                );
            }
        }
    }
}

#[test]
fn dependencies_point_one_way() {
    // Layers, bottom to top; a crate may depend only on crates of lower layers, or on the
    // domain crates below it within the domain layer.
    let layers: [&[&str]; 9] = [
        &["region"],
        &["registry", "access", "assessment", "monitoring", "interop"],
        &["store"],
        &["store-sqlite", "store-postgres"],
        &["app"],
        &["web", "mqtt", "testkit", "demo", "cli"],
        &["simulator"],
        &["bench"],
        &["yiyang"],
    ];
    let layer_of = |name: &str| layers.iter().position(|l| l.contains(&name));
    for krate in crates() {
        let own =
            layer_of(&krate).unwrap_or_else(|| panic!("crate {krate} is in no layer of this test"));
        for dep in dependencies(&krate) {
            if let Some(dep_layer) = layer_of(&dep) {
                // Within the domain layer: everyone may use registry's types, and monitoring
                // scores a vital-sign set with assessment's NEWS2 scorer.
                let within_domain = own == 1
                    && ((dep == "registry" && krate != "registry")
                        || (krate == "monitoring" && dep == "assessment"));
                assert!(
                    dep_layer < own || within_domain,
                    "{krate} (layer {own}) depends on {dep} (layer {dep_layer})"
                );
            }
        }
    }
}

/// The binary wires; storage is reached only through `app` (and, for their scratch databases
/// and bulk inserts, the demo and bench crates).
#[test]
fn the_binary_does_not_depend_on_storage() {
    let deps = dependencies("yiyang");
    for forbidden in ["store", "store-sqlite", "store-postgres", "sqlx"] {
        assert!(!deps.contains(forbidden), "yiyang depends on {forbidden}");
    }
}

/// Demo, simulator and benchmarks are tools, not the product: no product crate depends on them.
#[test]
fn product_crates_do_not_depend_on_the_tools() {
    for krate in crates() {
        if ["demo", "simulator", "bench", "yiyang", "cli"].contains(&krate.as_str()) {
            continue;
        }
        let deps = dependencies(&krate);
        for tool in ["demo", "simulator", "bench"] {
            assert!(!deps.contains(tool), "{krate} depends on {tool}");
        }
    }
}
