#!/usr/bin/env bash
# Builds the Pulumi Kubernetes provider plugin from Go modules: `bash build.sh OUTDIR` makes
# OUTDIR/pulumi-resource-kubernetes and prints its path (stdout, last line); progress goes to stderr.
#
# The wrapper module here pins github.com/pulumi/pulumi-kubernetes/provider/v4 at the pseudo-version
# v4.0.0-20260115033456-f47bc2d6f199, the commit tagged v4.25.0 (the proxy refuses the tagged
# provider versions), and sdk/v4 at v4.25.0 (upstream's go.mod replaces it with ../sdk, which a
# dependency's replace cannot do for us; the sdk/v4.25.0 tag differs from that tree only in version strings).
# main.go is upstream's main, embedding the schema.json and terraform-mapping.json of the module zip.
set -euo pipefail

VERSION=v4.25.0
MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4

out="${1:?usage: build.sh OUTDIR}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf 'kubernetes-provider: %s\n' "$*" >&2; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
bin="$out/pulumi-resource-kubernetes"
stamp="$out/.pulumi-resource-kubernetes.stamp"
# The stamp names the version and the wrapper's content, so a change of pins rebuilds.
want="$VERSION $(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-16)"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "$bin"
  exit 0
fi

# Build from a scratch copy beside OUTDIR so that nothing is written into the repository.
src="$(dirname "$out")/src/kubernetes-provider"
mkdir -p "$src"
cp "$here/go.mod" "$here/go.sum" "$here/main.go" "$src/"
export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
started=$SECONDS

say "downloading modules..."
(cd "$src" && go mod download -x 2>&1) |
  awk '/^# get .*200/ { n++; if (n % 100 == 0) { printf "kubernetes-provider:   %d modules fetched\n", n > "/dev/stderr" } }
       /^go: / { print > "/dev/stderr" }'
moddir="$(cd "$src" && go list -m -f '{{.Dir}}' "$MODULE")"
install -m 644 "$moddir/cmd/pulumi-resource-kubernetes/schema.json" \
  "$moddir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$src/"

say "compiling $VERSION (first build: several minutes; cached afterwards)..."
rm -f "$stamp"
(cd "$src" && go build -v -trimpath \
  -ldflags "-s -w -X $MODULE/pkg/version.Version=$VERSION" -o "$bin" . 2>&1) |
  awk '{ n++; if (n % 150 == 0) { printf "kubernetes-provider:   %d packages compiled\n", n > "/dev/stderr" } }
       /^(#|.*\.go:[0-9]+)/ { print > "/dev/stderr" }'
if [ ! -x "$bin" ]; then
  say "build failed (see the lines above)"
  exit 1
fi
echo "$want" >"$stamp"
say "built $bin in $((SECONDS - started))s"
echo "$bin"
