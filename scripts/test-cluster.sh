#!/usr/bin/env bash
# The kubevirt tier: the end-to-end suite (tests/e2e, the same suite `npm test` runs on the simulator), the
# cluster-only suites (tests/cluster: the full-stack example with @pulumi/kubernetes, RBAC, virtctl) and the
# differential suite (tests/differential: the simulator against KubeVirt's own answers), each against a real
# etcd + kube-apiserver + kube-controller-manager on loopback with KubeVirt's own virt-api and virt-controller
# and a node stand-in (see tests/support/target.ts). The first run builds the control plane and KubeVirt's
# programs from Go modules (cached).
# Set PULUMI_KUBEVIRT_TARGET=kubeconfig (and KUBECONFIG) to run tests/e2e against a cluster of your own instead.
# The e2e suites whose subject is the engine and the provider's own bookkeeping, not KubeVirt (the engine proof,
# progress attribution, --target, the benchmark smoke test's request counts, which read the simulator's request
# log), and examples/adopt and examples/lookup (adoption and reads are covered here by convergence.test.ts's
# adoption case and every suite's refreshes), run on the simulator only (`npm test`'s e2e step), to keep
# `npm test` within its budget. The fleet suite runs here with 8 VMs, 2 at a time (20 and 5 on the simulator).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PULUMI_KUBEVIRT_TARGET="${PULUMI_KUBEVIRT_TARGET:-kubevirt}"
jest() { node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"; }
if [ "$PULUMI_KUBEVIRT_TARGET" = kubeconfig ]; then
  jest --runInBand --testTimeout 600000 tests/e2e "$@"
  exit 0
fi
PULUMI_KUBEVIRT_CLUSTER_BIN="$(bash scripts/ensure-cluster.sh)"
PULUMI_KUBEVIRT_KUBEVIRT_BIN="$(bash scripts/ensure-kubevirt.sh)"
export PULUMI_KUBEVIRT_CLUSTER_BIN PULUMI_KUBEVIRT_KUBEVIRT_BIN
PATH="$PULUMI_KUBEVIRT_CLUSTER_BIN:$PATH"
ENGINE_ONLY='<rootDir>/tests/e2e/(engine|progress|target|bench-smoke|reading-examples)\.test\.ts'
# (An array option takes every argument after it: it goes last.)
jest --runInBand --testTimeout 300000 tests/e2e tests/cluster tests/differential "$@" --testPathIgnorePatterns="$ENGINE_ONLY"
