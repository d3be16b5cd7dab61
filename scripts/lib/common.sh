# Shared by every MedTrust script: paths, the build cache, and small helpers.
# Source it; it does not change shell options of its own.

MEDTRUST_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export MEDTRUST_ROOT

# One build cache outside the clone, shared by the developer's builds, the scripts and CI, so a
# fresh clone rebuilds only what changed. Override with CARGO_TARGET_DIR.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medtrust/target}"

# The runtime's Wasm must not depend on where the clone lives: panic messages carry source
# paths, and the Wasm is part of the genesis of every chain spec. Remap the clone's path.
export WASM_BUILD_RUSTFLAGS="--remap-path-prefix=$MEDTRUST_ROOT=/medtrust ${WASM_BUILD_RUSTFLAGS:-}"

# Cargo's progress bars are noise in logs; keep colour off when not on a terminal.
if [ ! -t 1 ]; then
	export CARGO_TERM_PROGRESS_WHEN=never
	export CARGO_TERM_COLOR=never
fi

MEDTRUST_NODE_BIN="$CARGO_TARGET_DIR/release/medtrust-node"
MEDTRUST_CLI_BIN="$CARGO_TARGET_DIR/release/medtrust"
export MEDTRUST_NODE_BIN MEDTRUST_CLI_BIN

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Builds every crate of the workspace, tests included, in the release profile: the node, the
# CLI and the tests share one set of compiled dependencies (one profile, one feature set).
build_all() {
	log "building the workspace (release; a cold build takes about 30 minutes on 2 cores)"
	(cd "$MEDTRUST_ROOT" && cargo test --release --workspace --locked --no-run "$@")
}
