# Shared by the scripts that build programs from pinned wrapper Go modules (sourced, not run).
# The caller sets `say` (progress to stderr) and `started` (SECONDS at start).

export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"

# missing_programs BIN PROGRAM...: prints (a line each) the PROGRAMs that are not executable files in BIN.
missing_programs() {
  local bin="$1" program
  shift
  for program in "$@"; do
    [ -x "$bin/$program" ] || echo "$program"
  done
}

# require_go WHAT: fails, saying that WHAT is built from Go modules, when there is no `go`.
require_go() {
  if ! command -v go >/dev/null 2>&1; then
    say "$1 from Go modules: install Go >= 1.26"
    exit 1
  fi
}

# go_download_module WRAPPER SRC: copies the pinned go.mod/go.sum (and any .go files) of the wrapper module
# WRAPPER into the scratch directory SRC and downloads its modules (progress every 100).
go_download_module() {
  local wrapper="$1" src="$2"
  local name
  name="$(basename "$wrapper")"
  mkdir -p "$src"
  cp "$wrapper"/go.mod "$wrapper"/go.sum "$src/"
  cp "$wrapper"/*.go "$src/" 2>/dev/null || true
  say "downloading Go modules for $name..."
  (cd "$src" && go mod download -x 2>&1) |
    awk -v p="$name" '/^# get .*200/ { n++; if (n % 100 == 0) { printf "  %s: %d modules fetched\n", p, n > "/dev/stderr" } }'
}

# go_compile SRC PACKAGE OUTPUT LDFLAGS: builds PACKAGE of the module in SRC into OUTPUT (progress every 150
# packages; compiler errors shown).
go_compile() {
  local src="$1" package="$2" output="$3" ldflags="$4"
  local program
  program="$(basename "$output")"
  say "compiling $program (first build: minutes on 2 cores; cached afterwards)..."
  # Built under a temporary name and renamed: an interrupted build never leaves a program that counts as present.
  rm -f "$output.partial"
  (cd "$src" && go build -v -trimpath -tags osusergo,grpcnotrace -ldflags "-w -s $ldflags" -o "$output.partial" "$package" 2>&1) |
    awk -v p="$program" '{ n++; if (n % 150 == 0) { printf "  %s: %d packages compiled\n", p, n > "/dev/stderr" } }
         /^(#|.*\.go:[0-9]+)/ { print > "/dev/stderr" }'
  if [ ! -x "$output.partial" ]; then
    say "building $package failed (see the lines above)"
    exit 1
  fi
  mv -f "$output.partial" "$output"
  say "$program built ($((SECONDS - started))s so far)"
}

# go_build_module WRAPPER SRC PACKAGE OUTPUT LDFLAGS: go_download_module, then go_compile.
go_build_module() {
  go_download_module "$1" "$2"
  go_compile "$2" "$3" "$4" "$5"
}
