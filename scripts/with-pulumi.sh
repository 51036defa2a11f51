#!/usr/bin/env bash
# Runs a command with the Pulumi engine (see ensure-pulumi.sh) first on PATH, isolated from the
# user's own Pulumi state: no update checks, no telemetry.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$(bash "$here/ensure-pulumi.sh")"
# The project's Node.js (node_modules/.bin/node) runs the language host's program and the dynamic providers.
export PATH="$bin:$here/../node_modules/.bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
exec "$@"
