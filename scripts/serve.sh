#!/usr/bin/env bash
# Builds the web calculator (release) and serves dist/ on 127.0.0.1.
# Installs the missing tools first (see scripts/web-tools.sh).
# Usage: scripts/serve.sh [--port PORT] [--build-only]
set -euo pipefail
cd "$(dirname "$0")/.."

port=8080
build_only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --port) port="$2"; shift 2 ;;
        --build-only) build_only=1; shift ;;
        *) echo "usage: scripts/serve.sh [--port PORT] [--build-only]" >&2; exit 2 ;;
    esac
done

source scripts/web-tools.sh
install_web_tools
trunk_tool_env
trunk build --release --offline

if [ "$build_only" = 1 ]; then
    exit 0
fi
echo "Serving dist/ at http://127.0.0.1:$port/ (Ctrl-C stops)"
exec python3 -m http.server --bind 127.0.0.1 --directory dist "$port"
