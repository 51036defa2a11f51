#!/usr/bin/env bash
# Regenerates crds.json (KubeVirt's VirtualMachine and VirtualMachineInstance CRDs) from the KubeVirt Go module
# pinned in go.mod (kubevirt.io/kubevirt v1.7.0: later releases need modules the Go proxy here does not serve).
# `--check` fails when the committed file differs from a fresh generation.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
GOTOOLCHAIN=local GOFLAGS=-mod=readonly go run . >"$out"
if [ "${1:-}" = "--check" ]; then
  cmp -s "$out" crds.json || { echo "crds.json is stale: run $0" >&2; exit 1; }
  echo "crds.json matches kubevirt.io/kubevirt $(awk '/kubevirt.io\/kubevirt /{print $2}' go.mod)"
else
  mv "$out" crds.json
  trap - EXIT
fi
