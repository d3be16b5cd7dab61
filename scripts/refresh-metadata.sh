#!/usr/bin/env bash
# Rewrites the client's committed runtime metadata from the current runtime.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/refresh-metadata.sh [--help]

Writes client/artifacts/metadata.scale, from which subxt generates the client's types, from
the runtime as it is in this tree (no node needed). Run it after any runtime change; the test
`committed_metadata_is_current` fails while the committed file is stale.
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; "") ;; *) usage >&2; exit 2 ;; esac

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"
MEDTRUST_BLESS=1 mcargo test --release --workspace --locked --test metadata
log "wrote client/artifacts/metadata.scale"
