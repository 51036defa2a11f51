# Shared by the scripts that build programs from pinned wrapper Go modules (sourced, not run).
# The caller sets `say` (progress to stderr) and `started` (SECONDS at start).

# go_build_module WRAPPER SRC PACKAGE OUTPUT LDFLAGS: copies the pinned go.mod/go.sum (and any .go files) of the
# wrapper module WRAPPER into the scratch directory SRC, downloads its modules (progress every 100) and builds
# PACKAGE into OUTPUT (progress every 150 packages; compiler errors shown).
go_build_module() {
  local wrapper="$1" src="$2" package="$3" output="$4" ldflags="$5"
  local name
  name="$(basename "$wrapper")"
  mkdir -p "$src"
  cp "$wrapper"/go.mod "$wrapper"/go.sum "$src/"
  cp "$wrapper"/*.go "$src/" 2>/dev/null || true
  say "downloading Go modules for $name..."
  (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go mod download -x 2>&1) |
    awk -v p="$name" '/^# get .*200/ { n++; if (n % 100 == 0) { printf "  %s: %d modules fetched\n", p, n > "/dev/stderr" } }'
  say "compiling $(basename "$output") (first build: minutes on 2 cores; cached afterwards)..."
  (cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -v -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-w -s $ldflags" -o "$output" "$package" 2>&1) |
    awk -v p="$(basename "$output")" '{ n++; if (n % 150 == 0) { printf "  %s: %d packages compiled\n", p, n > "/dev/stderr" } }
         /^(#|.*\.go:[0-9]+)/ { print > "/dev/stderr" }'
  if [ ! -x "$output" ]; then
    say "building $package failed (see the lines above)"
    exit 1
  fi
  say "$(basename "$output") built ($((SECONDS - started))s so far)"
}
