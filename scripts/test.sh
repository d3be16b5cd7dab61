#!/usr/bin/env bash
# Sets up and runs every check and test of MedTrust: what CI runs.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/test.sh [--help] [--long] [-- CARGO_TEST_ARGS...]

Installs prerequisites (scripts/setup.sh), then:
  1. cargo fmt --check;
  2. cargo clippy on every crate and target, warnings denied (without the Wasm build);
  3. builds the workspace in release (node, CLI, tests);
  4. installs the pinned Polkadot.js client used by the end-to-end tests (npm ci);
  5. runs every unit, runtime and end-to-end test (cargo test --release), the end-to-end
     ones starting real medtrust-node processes on free loopback ports;
  6. runs the pallets' benchmarks as tests (the runtime-benchmarks feature);
  7. when Docker can be used (scripts/docker-test.sh --available: a daemon answers, or this
     runs as root and can start dockerd), builds the node image and runs the
     four-institution compose file (scripts/docker-test.sh).
With --long, then also the long end-to-end runs (ignored otherwise; about an hour): a
certificate 50,000 blocks old verified offline.
Arguments after `--` go to cargo test (e.g. `-- e2e_` to run only end-to-end tests).
The build cache is CARGO_TARGET_DIR (default: $HOME/.cache/medtrust/target).
USAGE
}
extra=()
long=false
if [ "${1:-}" = --long ]; then
	long=true
	shift
fi
case "${1:-}" in
	-h | --help) usage; exit 0 ;;
	--) shift; extra=("$@") ;;
	"") ;;
	*) usage >&2; exit 2 ;;
esac

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"
started=$SECONDS

bash scripts/setup.sh

log "cargo fmt --check"
mcargo fmt --all -- --check

log "cargo clippy (warnings are errors)"
SKIP_WASM_BUILD=1 mcargo clippy --release --workspace --all-targets --locked -- -D warnings

build_all

log "installing the pinned Polkadot.js client for the end-to-end tests"
(cd cli/tests/polkadot-js && npm ci --no-audit --no-fund --loglevel=error)

results="$(mktemp)"
trap 'rm -f "$results"' EXIT

log "cargo test (unit, runtime and end-to-end tests)"
mcargo test --release --workspace --locked -- "${extra[@]}" 2>&1 | tee -a "$results"

log "pallet benchmarks, run as tests (runtime-benchmarks feature)"
mcargo test --release --locked "${MEDTRUST_PALLETS[@]/#/--package=pallet-}" \
	--features runtime-benchmarks \
	-- "${extra[@]}" 2>&1 | tee -a "$results"

log "the container deployment (scripts/docker-test.sh)"
if reason="$(bash scripts/docker-test.sh --available)"; then
	bash scripts/docker-test.sh
else
	log "skipped: Docker cannot be used here: $reason"
fi

if $long; then
	log "the long end-to-end runs (--long)"
	mcargo test --release --workspace --locked --test e2e -- --ignored long_ 2>&1 |
		tee -a "$results"
fi

# One closing line over every test binary above.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i - 1); if ($(i) ~ /^failed/) f += $(i - 1) } }
	END { printf "%d passed, %d failed\n", p, f }' "$results"

log "all checks passed in $((SECONDS - started)) s"
