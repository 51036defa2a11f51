#!/usr/bin/env bash
# Runs a command with the Pulumi engine (see ensure-pulumi.sh) first on PATH, isolated from the
# user's own Pulumi state: no update checks, no telemetry.
set -euo pipefail
bin="$(bash "$(dirname "${BASH_SOURCE[0]}")/ensure-pulumi.sh")"
export PATH="$bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
exec "$@"
