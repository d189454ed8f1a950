#!/usr/bin/env bash
# Builds the site (release) and runs it on the embedded SQLite database, seeded with the
# real incident history on first start. Configuration: see README.md (DATABASE_URL,
# LEPTOS_SITE_ADDR, ...). Stops on Ctrl-C or SIGTERM.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
. scripts/setup.sh

cargo leptos build --release

export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export LEPTOS_OUTPUT_NAME="${LEPTOS_OUTPUT_NAME:-status}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
# Email alerts: with no SMTP server configured, messages (confirmations, alerts) are
# written to data/mail/*.eml so that subscribing can be tried out; set STATUS_SMTP_URL to
# an SMTP server to send them, or to empty to turn email off.
export STATUS_SMTP_URL="${STATUS_SMTP_URL-file://$repo/data/mail}"
exec target/release/server serve
