#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine. Tests that need the
# reference data in ../shared skip without it unless
# DEEPXS_REQUIRE_REFERENCE=1 is set.
#
# After the native tests, the web steps install the missing tools (see
# scripts/web-tools.sh; Chromium and chromedriver from apt), build the
# release web app, run the wasm-bindgen tests of the core in headless
# Chromium and the end-to-end tests of the app. DEEPXS_SKIP_WEB=1 runs the
# native tests only.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --all-targets

if [ "${DEEPXS_SKIP_WEB:-0}" = 1 ]; then
    echo "test.sh: web tests skipped (DEEPXS_SKIP_WEB=1)"
    exit 0
fi

source scripts/web-tools.sh
DEEPXS_WEB_BROWSER=1 install_web_tools

echo "== web app release build"
scripts/serve.sh --build-only

echo "== wasm core parity in headless Chromium"
# The fixture (reference rows and native predictions) was written by
# tests/wasm_parity_fixture.rs during cargo test above.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER="$(command -v chromedriver)" \
    cargo test --target wasm32-unknown-unknown --test wasm_core --test wasm_corpus -- --nocapture

echo "== end-to-end tests in headless Chromium"
(cd tests/e2e && npm ci --no-audit --no-fund)
DEEPXS_CLI="$PWD/target/debug/deepxs" node tests/e2e/e2e.mjs
