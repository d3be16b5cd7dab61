#!/usr/bin/env bash
# Measures the weights of MedTrust's pallets and rewrites their weights.rs.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/bench-weights.sh [--help] [PALLET...]

Builds the runtime with its benchmarks (the `runtime-benchmarks` feature), runs every benchmark
of each pallet (default: all of MedTrust's pallets) with frame-omni-bencher, and writes
pallets/<name>/src/weights.rs from scripts/weight-template.hbs. Installs frame-omni-bencher
0.28.0 (polkadot-sdk stable2609) into ~/.cache/medtrust/bin on first use (a long build).
Run it on the reference machine after changing a pallet's calls or storage, and commit the
result.
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"

pallets=("$@")
[ "${#pallets[@]}" -gt 0 ] || pallets=("${MEDTRUST_PALLETS[@]}")

BENCHER="$HOME/.cache/medtrust/bin/frame-omni-bencher"
if [ ! -x "$BENCHER" ]; then
	log "installing frame-omni-bencher 0.28.0 (first use only)"
	cargo install frame-omni-bencher --version 0.28.0 --locked --root "$HOME/.cache/medtrust" \
		--target-dir "$HOME/.cache/medtrust/bencher-target"
fi

# A separate target directory: the benchmark feature set would otherwise evict the test build.
export CARGO_TARGET_DIR="$HOME/.cache/medtrust/bench-target"
log "building the runtime with its benchmarks"
mcargo build --release --locked -p medtrust-runtime --features runtime-benchmarks
wasm="$CARGO_TARGET_DIR/release/wbuild/medtrust-runtime/medtrust_runtime.compact.compressed.wasm"

for name in "${pallets[@]}"; do
	log "benchmarking pallet_${name//-/_}"
	"$BENCHER" v1 benchmark pallet \
		--runtime "$wasm" \
		--pallet "pallet_${name//-/_}" \
		--extrinsic '*' \
		--steps 20 \
		--repeat 10 \
		--heap-pages 4096 \
		--template scripts/weight-template.hbs \
		--output "pallets/$name/src/weights.rs"
done
log "done; review and commit pallets/*/src/weights.rs"
