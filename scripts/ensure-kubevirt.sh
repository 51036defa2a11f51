#!/usr/bin/env bash
# Makes sure KubeVirt's own programs for the kubevirt test tier are built and prints the directory that holds
# them (stdout, last line). Progress goes to stderr. Only missing programs are built.
#
# Built from the pinned wrapper Go module scripts/cluster/kubevirt (kubevirt.io/kubevirt v1.7.0, CGO_ENABLED=0),
# cached outside the repository under ${PULUMI_KUBEVIRT_CACHE:-~/.cache/pulumi-kubevirt}/kubevirt-v<version>/bin:
#   virt-api, virt-controller   KubeVirt's API server and controller (cmd/virt-api, cmd/virt-controller)
#   virtctl                     KubeVirt's command-line client (cmd/virtctl)
#   kubevirt-install            the wrapper's own main.go: KubeVirt's install objects (CRDs, RBAC, APIServices,
#                               webhooks) from virt-operator's generators, as JSON
# PULUMI_KUBEVIRT_KUBEVIRT_BIN: a directory that already holds these programs, used as is.
set -euo pipefail

KUBEVIRT_VERSION=1.7.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf 'ensure-kubevirt: %s\n' "$*" >&2; }

if [ -n "${PULUMI_KUBEVIRT_KUBEVIRT_BIN:-}" ]; then
  echo "$PULUMI_KUBEVIRT_KUBEVIRT_BIN"
  exit 0
fi
cache_root="${PULUMI_KUBEVIRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-kubevirt}"
home="$cache_root/kubevirt-v$KUBEVIRT_VERSION"
bin="$home/bin"
# shellcheck source=lib/go-build.sh
. "$here/lib/go-build.sh"
mapfile -t missing < <(missing_programs "$bin" virt-api virt-controller virtctl kubevirt-install)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "$bin"
  exit 0
fi
require_go "the kubevirt tier builds KubeVirt's virt-api and virt-controller"
started=$SECONDS
export CGO_ENABLED=0
mkdir -p "$bin"
say "building ${missing[*]} (kubevirt.io/kubevirt v$KUBEVIRT_VERSION) into $bin"
go_download_module "$here/cluster/kubevirt" "$home/src"
for program in "${missing[@]}"; do
  if [ "$program" = kubevirt-install ]; then
    go_compile "$home/src" . "$bin/kubevirt-install" ""
  else
    go_compile "$home/src" "kubevirt.io/kubevirt/cmd/$program" "$bin/$program" ""
  fi
done
say "KubeVirt programs ready in $((SECONDS - started))s"
echo "$bin"
