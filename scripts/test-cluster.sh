#!/usr/bin/env bash
# The cluster tier: the end-to-end suite (tests/e2e, the same suite `npm test` runs on the simulator) and the
# cluster-only suites (tests/cluster: the full-stack example with @pulumi/kubernetes, RBAC), each against a real
# etcd + kube-apiserver + kube-controller-manager on loopback with KubeVirt's CRDs and the simulator's KubeVirt
# attached (see tests/support/target.ts). The first run builds the control plane from Go modules (cached).
# Set PULUMI_KUBEVIRT_TARGET=kubeconfig (and KUBECONFIG) to run tests/e2e against a cluster of your own instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PULUMI_KUBEVIRT_TARGET="${PULUMI_KUBEVIRT_TARGET:-cluster}"
jest() { node --experimental-vm-modules node_modules/jest/bin/jest.js "$@"; }
if [ "$PULUMI_KUBEVIRT_TARGET" = kubeconfig ]; then
  jest --runInBand --testTimeout 600000 tests/e2e "$@"
  exit 0
fi
PULUMI_KUBEVIRT_CLUSTER_BIN="$(bash scripts/ensure-cluster.sh)"
export PULUMI_KUBEVIRT_CLUSTER_BIN
PATH="$PULUMI_KUBEVIRT_CLUSTER_BIN:$PATH"
jest --runInBand --testTimeout 300000 tests/e2e tests/cluster "$@"
