#!/usr/bin/env bash
# Measures the weights of MedTrust's pallets and rewrites their weights.rs.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/bench-weights.sh [--help] [PALLET...]

Builds the runtime with its benchmarks (the `runtime-benchmarks` feature), runs every benchmark
of each pallet (default: all of MedTrust's pallets, then frame_system's calls and transaction
extensions) with frame-omni-bencher, and writes pallets/<name>/src/weights.rs from
scripts/weight-template.hbs, and runtime/src/weights/frame_system{,_extensions}.rs from
scripts/runtime-weight-template.hbs; with no PALLET, also the block and extrinsic overhead
(runtime/src/weights/{block,extrinsic}_weights.rs). Installs frame-omni-bencher
0.28.0 (polkadot-sdk stable2609) into ~/.cache/medtrust/bin on first use (a long build).
Run it on the reference machine after changing a pallet's calls or storage, and commit the
result.
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"

pallets=("$@")
[ "${#pallets[@]}" -gt 0 ] || pallets=("${MEDTRUST_PALLETS[@]}" frame_system frame_system_extensions pallet_migrations)

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

bench() { # pallet template output
	log "benchmarking $1"
	"$BENCHER" v1 benchmark pallet \
		--runtime "$wasm" \
		--pallet "$1" \
		--extrinsic '*' \
		--steps 20 \
		--repeat 10 \
		--heap-pages 4096 \
		--template "$2" \
		--output "$3"
}
for name in "${pallets[@]}"; do
	case "$name" in
		pallet_migrations)
			bench "$name" scripts/runtime-weight-template.hbs "runtime/src/weights/$name.rs"
			;;
		frame_system*)
			# The runtime's weights for frame_system's calls and its transaction extensions
			# (CheckNonce, CheckMortality, …), which every signed transaction pays.
			bench "$name" scripts/runtime-weight-template.hbs "runtime/src/weights/$name.rs"
			sed -i 's/impl<T: frame_system::Config> frame_system_extensions::WeightInfo/impl<T: frame_system::Config> frame_system::ExtensionsWeightInfo/' \
				"runtime/src/weights/$name.rs"
			;;
		*) bench "pallet_${name//-/_}" scripts/weight-template.hbs "pallets/$name/src/weights.rs" ;;
	esac
done
if [ "$#" -eq 0 ]; then
	# The cost of an empty block and of a no-op extrinsic, on this machine: the base every
	# block and every transaction pays beside its own weight.
	log "benchmarking the block and extrinsic overhead"
	overhead="$(mktemp -d)"
	"$BENCHER" v1 benchmark overhead --runtime "$wasm" --genesis-builder runtime \
		--genesis-builder-preset development --weight-path "$overhead" --warmup 3 --repeat 20
	for file in block_weights extrinsic_weights; do
		sed -e 's/^use sp_core::parameter_types;/use frame_support::parameter_types;/' \
			-e 's/sp_weights::/frame_support::weights::/g' \
			"$overhead/$file.rs" >"runtime/src/weights/$file.rs"
	done
	rm -rf "$overhead"
fi
log "done; review and commit pallets/*/src/weights.rs and runtime/src/weights/"
