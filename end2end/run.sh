#!/usr/bin/env bash
# Runs the end-to-end suite against a server that is already running.
# The caller starts the server and sets BASE_URL (default: http://127.0.0.1:3217).
# Extra arguments go to `playwright test` (e.g. --project=nojs, a spec file).
# Exit code: the test runner's.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ -n "${BASE_URL:-}" ]; then
  export BASE_URL
fi
exec npx --no-install playwright test "$@"
