# Shared by every MedTrust script: paths, the build cache, and small helpers.
# Source it; it does not change shell options of its own.

MEDTRUST_CLONE="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"

# One build cache outside the clone, shared by the developer's builds, the scripts and CI, so a
# fresh clone rebuilds only what changed. Override with CARGO_TARGET_DIR.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medtrust/target}"

# Cargo builds through one fixed path, a symbolic link to the clone in use. The runtime's Wasm
# (part of the genesis of every chain spec) then does not depend on where the clone lives:
# crate identities and source paths are the same for every clone, so a committed chain spec
# can be checked byte for byte, and a new clone reuses the cache. When the link moves to
# another clone, its files are touched so that cargo rebuilds them rather than trust times.
MEDTRUST_ROOT="${MEDTRUST_ROOT_LINK:-$HOME/.cache/medtrust/src}"
if [ "$(readlink "$MEDTRUST_ROOT" 2>/dev/null || true)" != "$MEDTRUST_CLONE" ]; then
	mkdir -p "$(dirname "$MEDTRUST_ROOT")"
	ln -sfn "$MEDTRUST_CLONE" "$MEDTRUST_ROOT"
	if command -v git >/dev/null && git -C "$MEDTRUST_CLONE" rev-parse >/dev/null 2>&1; then
		(cd "$MEDTRUST_CLONE" && git ls-files -z | xargs -0 touch)
	fi
fi
export MEDTRUST_ROOT MEDTRUST_CLONE
MEDTRUST_MANIFEST="$MEDTRUST_ROOT/Cargo.toml"

# Keep the build machine's paths out of the runtime's Wasm.
export WASM_BUILD_RUSTFLAGS="--remap-path-prefix=$MEDTRUST_ROOT=/medtrust"
export WASM_BUILD_WORKSPACE_HINT="$MEDTRUST_ROOT"

# Cargo's progress bars are noise in logs; keep colour off when not on a terminal.
if [ ! -t 1 ]; then
	export CARGO_TERM_PROGRESS_WHEN=never
	export CARGO_TERM_COLOR=never
fi

MEDTRUST_NODE_BIN="$CARGO_TARGET_DIR/release/medtrust-node"
MEDTRUST_CLI_BIN="$CARGO_TARGET_DIR/release/medtrust"
export MEDTRUST_NODE_BIN MEDTRUST_CLI_BIN

# MedTrust's own pallets (folders under pallets/, crates `pallet-<name>`): what test.sh runs
# the benchmarks of and bench-weights.sh measures.
MEDTRUST_PALLETS=(consortium data-sources field-mapping certificates lineage sharing)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs cargo on the workspace through the fixed path.
mcargo() {
	local command=$1
	shift
	cargo "$command" --manifest-path "$MEDTRUST_MANIFEST" "$@"
}

# Builds every crate of the workspace, tests included, in the release profile: the node, the
# CLI and the tests share one set of compiled dependencies (one profile, one feature set).
build_all() {
	log "building the workspace (release; a cold build takes about 30 minutes on 2 cores)"
	cargo test --manifest-path "$MEDTRUST_MANIFEST" --release --workspace --locked --no-run "$@"
}

# The machine's CPU time so far, all cores, in clock ticks (getconf CLK_TCK a second), from
# /proc/stat: "busy idle" (idle counts I/O wait).
cpu_jiffies() {
	awk '/^cpu /{ idle = $5 + $6; all = 0; for (i = 2; i <= 9; i++) all += $i; print all - idle, idle }' /proc/stat
}

# The machine's CPU between two cpu_jiffies readings, for `records` records, as a JSON object:
# cpuBusy (the share of all cores' time that was busy) and cpuMsPerCertified (busy CPU
# milliseconds per record). Usage: cpu_usage <busy ticks> <idle ticks> <records>.
cpu_usage() {
	python3 -c 'import json, os, sys
busy, idle, records = map(int, sys.argv[1:4]); tick = os.sysconf("SC_CLK_TCK")
print(json.dumps({"cpuBusy": round(busy / max(busy + idle, 1), 3),
    "cpuMsPerCertified": round(busy / tick * 1000 / max(records, 1), 2)}))' "$@"
}
