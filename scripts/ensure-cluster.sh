#!/usr/bin/env bash
# Makes sure the programs of the cluster test tier are built and prints the directory that holds them
# (stdout, last line). Progress goes to stderr. A cache that lacks some of them (e.g. one made before a program
# was added) gets only the missing ones built.
#
# Built from pinned wrapper Go modules (scripts/cluster/*), cached outside the repository under
# ${PULUMI_KUBEVIRT_CACHE:-~/.cache/pulumi-kubevirt}/cluster-k8s-v<kubernetes>-etcd-v<etcd>-.../bin:
#   kube-apiserver, kube-controller-manager,  module k8s.io/kubernetes (staging modules at the matching v0.x)
#   kubectl
#   etcd                                      module go.etcd.io/etcd/server/v3
#   pulumi-resource-kubernetes                the Pulumi Kubernetes provider plugin, module
#                                             github.com/pulumi/pulumi-kubernetes/provider/v4 (see below)
# PULUMI_KUBEVIRT_CLUSTER_BIN: a directory that already holds these programs, used as is.
# --dir: prints the directory only, building nothing (for tests that look a program up there).
set -euo pipefail

KUBERNETES_VERSION=1.37.2
ETCD_VERSION=3.7.3
# The proxy here serves provider/v4 only at v4.0.0-20260115033456-f47bc2d6f199, the commit of v4.25.0.
KUBERNETES_PROVIDER_VERSION=4.25.0
KUBERNETES_PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf 'ensure-cluster: %s\n' "$*" >&2; }

if [ -n "${PULUMI_KUBEVIRT_CLUSTER_BIN:-}" ]; then
  echo "$PULUMI_KUBEVIRT_CLUSTER_BIN"
  exit 0
fi

cache_root="${PULUMI_KUBEVIRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-kubevirt}"
home="$cache_root/cluster-k8s-v$KUBERNETES_VERSION-etcd-v$ETCD_VERSION-kubernetes-provider-v$KUBERNETES_PROVIDER_VERSION"
bin="$home/bin"
if [ "${1:-}" = --dir ]; then
  echo "$bin"
  exit 0
fi
# shellcheck source=lib/go-build.sh
. "$here/lib/go-build.sh"
kubernetes_programs=(kube-apiserver kube-controller-manager kubectl)
mapfile -t missing < <(missing_programs "$bin" etcd "${kubernetes_programs[@]}" pulumi-resource-kubernetes)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "$bin"
  exit 0
fi
require_go "the cluster tier builds kube-apiserver and etcd"
started=$SECONDS

mkdir -p "$bin"
say "building ${missing[*]} (etcd v$ETCD_VERSION, Kubernetes v$KUBERNETES_VERSION," \
  "the Kubernetes provider v$KUBERNETES_PROVIDER_VERSION) into $bin"
[ -x "$bin/etcd" ] || go_build_module "$here/cluster/etcd" "$home/src/etcd" go.etcd.io/etcd/server/v3 "$bin/etcd" ""
mapfile -t missing_kubernetes < <(missing_programs "$bin" "${kubernetes_programs[@]}")
if [ "${#missing_kubernetes[@]}" -gt 0 ]; then
  k8s_ldflags="-X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION"
  k8s_ldflags+=" -X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION%%.*}"
  minor="${KUBERNETES_VERSION#*.}"
  k8s_ldflags+=" -X k8s.io/component-base/version.gitMinor=${minor%%.*}"
  k8s_ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
  go_download_module "$here/cluster/kubernetes" "$home/src/kubernetes"
  for program in "${missing_kubernetes[@]}"; do
    go_compile "$home/src/kubernetes" "k8s.io/kubernetes/cmd/$program" "$bin/$program" "$k8s_ldflags"
  done
fi
if [ ! -x "$bin/pulumi-resource-kubernetes" ]; then
  # Upstream's main embeds a schema generated at release time, absent from the module zip; the wrapper's main.go
  # embeds the module's schema.json and terraform-mapping.json instead, copied in here.
  src="$home/src/kubernetes-provider"
  go_download_module "$here/cluster/kubernetes-provider" "$src"
  moddir="$(cd "$src" && go list -m -f '{{.Dir}}' "$KUBERNETES_PROVIDER_MODULE")"
  install -m 644 "$moddir/cmd/pulumi-resource-kubernetes/schema.json" \
    "$moddir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$src/"
  CGO_ENABLED=0 go_compile "$src" . "$bin/pulumi-resource-kubernetes" \
    "-X $KUBERNETES_PROVIDER_MODULE/pkg/version.Version=v$KUBERNETES_PROVIDER_VERSION"
fi
say "cluster tier programs ready in $((SECONDS - started))s"
echo "$bin"
