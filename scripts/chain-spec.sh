#!/usr/bin/env bash
# Regenerates the committed chain specs from the runtime's genesis presets.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/chain-spec.sh [--help]

Writes chain-specs/local.json (the four-institution local consortium) from the runtime's
`local` genesis preset, using the release node binary (built first if needed).
Run it after any runtime change; the test `committed_local_chain_spec_is_current` fails
while the committed file is stale.
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; "") ;; *) usage >&2; exit 2 ;; esac

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"
build_all
"$MEDTRUST_NODE_BIN" build-spec --chain local --disable-default-bootnode 2>/dev/null \
	>chain-specs/local.json.new
mv chain-specs/local.json.new chain-specs/local.json
log "wrote chain-specs/local.json"
