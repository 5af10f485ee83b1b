#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine. Tests that need the
# reference data in ../shared skip without it unless
# DEEPXS_REQUIRE_REFERENCE=1 is set.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --all-targets
