#!/usr/bin/env bash
# Every test. Unit, integration and conformance suites run in parallel (jest workers); the end-to-end suites
# then run one at a time on the simulator, since each drives the real Pulumi engine (CLI, language host and
# provider processes) and two at once would only fight over the cores; then the package test (tests/package:
# `npm pack`, installs into fresh projects outside the repository, TypeScript 5 and 6, a git install); then the
# reliability suites
# (tests/reliability: interrupt trials, two-stack races, the fault matrix, bad inputs, secrets, world events;
# simulator only, since they inject faults and read its request log; `npm run test:chaos` runs the long
# variants); last comes the kubevirt tier
# (scripts/test-cluster.sh, also `npm run test:cluster`): the end-to-end suite again, the cluster-only suites
# and the differential suite, against a real kube-apiserver with KubeVirt's own virt-api and virt-controller.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jest() { node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"; }
# The cluster programs first (cached; built on a machine's first run): the unit tier's kubectl test needs kubectl.
# KubeVirt's programs are built then too, so that a first run's builds come before any test.
PULUMI_KUBEVIRT_CLUSTER_BIN="$(bash scripts/ensure-cluster.sh)"
PULUMI_KUBEVIRT_KUBEVIRT_BIN="$(bash scripts/ensure-kubevirt.sh)"
export PULUMI_KUBEVIRT_CLUSTER_BIN PULUMI_KUBEVIRT_KUBEVIRT_BIN
jest --passWithNoTests --testPathIgnorePatterns '<rootDir>/tests/(e2e|cluster|reliability|differential|package)/' "$@"
PULUMI_KUBEVIRT_TARGET=simulator jest --passWithNoTests --runInBand --testTimeout 300000 tests/e2e "$@"
PULUMI_KUBEVIRT_TARGET=simulator jest --passWithNoTests --runInBand --testTimeout 400000 tests/package "$@"
PULUMI_KUBEVIRT_TARGET=simulator jest --passWithNoTests --runInBand --testTimeout 300000 tests/reliability "$@"
PULUMI_KUBEVIRT_TARGET=kubevirt bash scripts/test-cluster.sh "$@"
