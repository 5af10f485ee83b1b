#!/usr/bin/env bash
# Installs what the web build needs when it is missing: the wasm32 target,
# Trunk, wasm-bindgen-cli at the exact version of the wasm-bindgen crate
# in Cargo.lock, and wasm-opt from the binaryen npm package. Sourced by
# serve.sh and test.sh. Set DEEPXS_WEB_BROWSER=1 to also install Chromium
# and chromedriver for the browser tests.
set -euo pipefail

# Trunk 0.21 builds with Rust 1.81 and later; 0.22 needs a newer compiler.
TRUNK_VERSION="0.21.14"

# wasm-opt comes from the binaryen npm package, an Emscripten build that
# runs on Node.js: installing it takes seconds, where building binaryen
# takes many minutes. Debian 12's binaryen 108 cannot be used because it
# rejects the table.fill instructions that rustc 1.95 emits. Trunk.toml
# pins the same major version (`[tools] wasm_opt`), so Trunk stops with an
# error instead of using another wasm-opt.
BINARYEN_VERSION="132.0.0"
BINARYEN_DIR="target/binaryen-$BINARYEN_VERSION"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# Builds a tool without link-time optimisation and with parallel codegen:
# Trunk's own release profile (fat LTO, one codegen unit) took 20 minutes on
# 2 cores, and the tools' speed does not matter here.
install_tool() {
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install "$@"
}

install_web_tools() {
    export PATH="$HOME/.cargo/bin:$PATH"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        rustup target add wasm32-unknown-unknown
    fi
    if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
        install_tool --locked trunk --version "$TRUNK_VERSION" --no-default-features --features rustls
    fi
    local bindgen
    bindgen="$(wasm_bindgen_version)"
    if [ -z "$bindgen" ]; then
        echo "web-tools: no wasm-bindgen entry in Cargo.lock" >&2
        return 1
    fi
    if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen\$"; then
        # NOTE: the locked install fails when a locked dependency of the CLI
        # is missing from the registry mirror. The unlocked install then
        # still builds the exact CLI version.
        install_tool --locked wasm-bindgen-cli --version "$bindgen" ||
            install_tool wasm-bindgen-cli --version "$bindgen"
    fi
    local packages=()
    command -v npm >/dev/null || packages+=(nodejs npm)
    if [ "${DEEPXS_WEB_BROWSER:-0}" = 1 ]; then
        command -v chromium >/dev/null || packages+=(chromium)
        command -v chromedriver >/dev/null || packages+=(chromium-driver)
    fi
    if [ "${#packages[@]}" -gt 0 ]; then
        as_root apt-get update
        as_root apt-get install -y "${packages[@]}"
    fi
    if ! "$BINARYEN_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "(version_${BINARYEN_VERSION%%.*})"; then
        npm install --prefix "$BINARYEN_DIR" --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
    fi
}

# Trunk looks for wasm-bindgen and wasm-opt on PATH and checks their
# versions. Name the installed wasm-bindgen, and put the local wasm-opt
# before Debian's.
trunk_tool_env() {
    export TRUNK_TOOLS_WASM_BINDGEN="$(wasm_bindgen_version)"
    export PATH="$PWD/$BINARYEN_DIR/node_modules/.bin:$PATH"
}
