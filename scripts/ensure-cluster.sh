#!/usr/bin/env bash
# Makes sure the programs of the cluster test tier are built and prints the directory that holds them
# (stdout, last line). Progress goes to stderr.
#
# Built from pinned wrapper Go modules (scripts/cluster/*), cached outside the repository under
# ${PULUMI_KUBEVIRT_CACHE:-~/.cache/pulumi-kubevirt}/cluster-k8s-v<kubernetes>-etcd-v<etcd>/bin:
#   kube-apiserver, kube-controller-manager   module k8s.io/kubernetes (staging modules at the matching v0.x)
#   etcd                                      module go.etcd.io/etcd/server/v3
# PULUMI_KUBEVIRT_CLUSTER_BIN: a directory that already holds these programs, used as is.
set -euo pipefail

KUBERNETES_VERSION=1.37.2
ETCD_VERSION=3.7.3

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf 'ensure-cluster: %s\n' "$*" >&2; }

if [ -n "${PULUMI_KUBEVIRT_CLUSTER_BIN:-}" ]; then
  echo "$PULUMI_KUBEVIRT_CLUSTER_BIN"
  exit 0
fi

cache_root="${PULUMI_KUBEVIRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-kubevirt}"
home="$cache_root/cluster-k8s-v$KUBERNETES_VERSION-etcd-v$ETCD_VERSION"
bin="$home/bin"
stamp="$bin/.complete"
if [ -f "$stamp" ]; then
  echo "$bin"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  say "the cluster tier builds kube-apiserver and etcd from Go modules: install Go >= 1.26"
  exit 1
fi

started=$SECONDS
# shellcheck source=lib/go-build.sh
. "$here/lib/go-build.sh"

mkdir -p "$bin"
say "building etcd v$ETCD_VERSION and Kubernetes v$KUBERNETES_VERSION control-plane programs into $bin"
go_build_module "$here/cluster/etcd" "$home/src/etcd" go.etcd.io/etcd/server/v3 "$bin/etcd" ""
k8s_ldflags="-X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION"
k8s_ldflags+=" -X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION%%.*}"
minor="${KUBERNETES_VERSION#*.}"
k8s_ldflags+=" -X k8s.io/component-base/version.gitMinor=${minor%%.*}"
k8s_ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
for program in kube-apiserver kube-controller-manager; do
  go_build_module "$here/cluster/kubernetes" "$home/src/kubernetes" "k8s.io/kubernetes/cmd/$program" \
    "$bin/$program" "$k8s_ldflags"
done
touch "$stamp"
say "control plane ready in $((SECONDS - started))s"
echo "$bin"
