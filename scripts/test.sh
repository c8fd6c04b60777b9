#!/usr/bin/env bash
# The whole test suite: formatting, lints, every Rust test (SQLite always; PostgreSQL too when
# YIYANG_TEST_DATABASE_URL is set), the JSON API fuzzed against its OpenAPI document
# (scripts/schemathesis.sh), then the browser tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
cargo build -p yiyang --locked
bash scripts/schemathesis.sh target/debug/yiyang

npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
node tests/browser/run.mjs target/debug/yiyang
