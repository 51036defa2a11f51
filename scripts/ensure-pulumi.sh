#!/usr/bin/env bash
# Makes sure a Pulumi engine is available and prints the directory that holds it (on stdout, last line).
# Progress goes to stderr.
#
# Order of preference:
#   1. PULUMI_KUBEVIRT_PULUMI_DIR: a directory holding `pulumi` (and its language host), used as is.
#   2. A `pulumi` on PATH whose version is at least PULUMI_MIN_VERSION (a normal user install).
#   3. The engine this project builds from Go modules, cached outside the repository under
#      ${PULUMI_KUBEVIRT_CACHE:-~/.cache/pulumi-kubevirt}/pulumi-v<cli>-nodejs-v<langhost>/bin.
#      Set PULUMI_KUBEVIRT_BUILD_ENGINE=1 to prefer it over a `pulumi` on PATH.
#
# The cached engine is three programs in one directory:
#   pulumi                          the CLI, module github.com/pulumi/pulumi/pkg/v3 (pinned below)
#   pulumi-language-nodejs          the Node.js language host (see README: why it comes from sdk/v3 v3.68.0)
#   pulumi-resource-pulumi-nodejs   the launcher of @pulumi/pulumi's dynamic-provider host
set -euo pipefail

PULUMI_VERSION=3.274.1
LANGHOST_SDK_VERSION=3.68.0
PULUMI_MIN_VERSION=3.200.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf 'ensure-pulumi: %s\n' "$*" >&2; }

# version_at_least A B: true when semver A >= B (plain x.y.z).
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -t. -k1,1n -k2,2n -k3,3n | head -n1)" = "$2" ]
}

if [ -n "${PULUMI_KUBEVIRT_PULUMI_DIR:-}" ]; then
  if [ ! -x "$PULUMI_KUBEVIRT_PULUMI_DIR/pulumi" ]; then
    say "PULUMI_KUBEVIRT_PULUMI_DIR=$PULUMI_KUBEVIRT_PULUMI_DIR has no executable 'pulumi'"
    exit 1
  fi
  say "using the Pulumi CLI in PULUMI_KUBEVIRT_PULUMI_DIR ($("$PULUMI_KUBEVIRT_PULUMI_DIR/pulumi" version))"
  echo "$PULUMI_KUBEVIRT_PULUMI_DIR"
  exit 0
fi

if [ -z "${PULUMI_KUBEVIRT_BUILD_ENGINE:-}" ] && command -v pulumi >/dev/null 2>&1; then
  found="$(command -v pulumi)"
  found_version="$(pulumi version 2>/dev/null | sed 's/^v//')"
  if [ -n "$found_version" ] && version_at_least "${found_version%%-*}" "$PULUMI_MIN_VERSION"; then
    say "using the Pulumi CLI on PATH: $found (v$found_version)"
    dirname "$(readlink -f "$found")"
    exit 0
  fi
  say "ignoring $found (version '${found_version}', need >= $PULUMI_MIN_VERSION)"
fi

cache_root="${PULUMI_KUBEVIRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-kubevirt}"
home="$cache_root/pulumi-v$PULUMI_VERSION-nodejs-v$LANGHOST_SDK_VERSION"
bin="$home/bin"
stamp="$bin/.complete"

if [ -f "$stamp" ] && [ "$("$bin/pulumi" version 2>/dev/null)" = "v$PULUMI_VERSION" ]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  say "no Pulumi CLI found and no Go toolchain to build one: install Pulumi (https://www.pulumi.com/docs/install/) or Go >= 1.26.6"
  exit 1
fi
go_version="$(go env GOVERSION | sed 's/^go//')"
if ! version_at_least "${go_version%%-*}" "1.26.6"; then
  say "Go $go_version is too old to build Pulumi v$PULUMI_VERSION (needs >= 1.26.6)"
  exit 1
fi

started=$SECONDS
# shellcheck source=lib/go-build.sh
. "$here/lib/go-build.sh"

# build_module NAME VERSION PACKAGE OUTPUT: builds PACKAGE from the pinned wrapper module scripts/engine/NAME.
build_module() {
  go_build_module "$here/engine/$1" "$home/src/$1" "$3" "$4" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$2"
}

mkdir -p "$bin"
rm -f "$stamp"
say "building the Pulumi engine v$PULUMI_VERSION from Go modules into $bin"
build_module cli "$PULUMI_VERSION" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$bin/pulumi"
build_module langhost "$LANGHOST_SDK_VERSION" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$bin/pulumi-language-nodejs"

# The dynamic-provider launcher: the same two lines as the one shipped in @pulumi/pulumi's package root.
cat >"$bin/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
exec node "$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")" "$@"
EOF
chmod +x "$bin/pulumi-resource-pulumi-nodejs"

if [ "$("$bin/pulumi" version)" != "v$PULUMI_VERSION" ]; then
  say "the built CLI reports '$("$bin/pulumi" version)', expected v$PULUMI_VERSION"
  exit 1
fi
touch "$stamp"
say "Pulumi engine v$PULUMI_VERSION ready in $((SECONDS - started))s"
echo "$bin"
