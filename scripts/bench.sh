#!/usr/bin/env bash
# Measures MedTrust's certification performance on this machine and prints the figures.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/bench.sh [--help] [--records N] [--chain-count N] [--remarks N]
                        [--certify-count N] [--consortium-count N] [--lineage-edges N]
                        [--relations-only | --lineage-only | --certificates-only | --load-only]

Builds the workspace (release), then measures, in one run:
  1. client-side certification throughput (canonicalise, salted commitment, AES-256-GCM,
     Merkle tree, on all cores) of N synthetic FHIR Observations (default 1,000,000), beside
     the raw SM3 and SHA-256 throughput of this machine over the same bytes, on one core and
     on all;
  2. on a fresh dev node (loopback, temporary state): finalized `certify` extrinsics per
     second beside `system.remark`s of the same size, --chain-count (default 500) of each
     submitted at once, and the time from submit to finality (median, 95th percentile), also
     for a single transaction on an idle chain;
     then --remarks (default 3,000) `system.remark`s of 100 bytes sent through @polkadot/api
     (what a Substrate user would get: cli/tests/polkadot-js/remark-rate.mjs);
  3. `medtrust anchor --batch` of the N records end to end: read, canonicalise, commit,
     encrypt, one certify_batch extrinsic, finality, the certificate archive written; then one
     record's certificate extracted, and `verify --all` of every record online and offline;
     then `medtrust anchor` of the first --certify-count (default 100,000) of the same records,
     one `certify` transaction each: finalized transactions per second, end to end, the
     blocks the node built meanwhile and the machine's CPU (share busy, busy milliseconds a
     record); then the four-institution local consortium (four
     validators on loopback: scripts/bench-consortium.sh), each institution anchoring
     --consortium-count (default 10,000; 0 skips it) records at once through its own node;
  4. offline verifications of one record per second (chain spec as trust anchor, no node);
     and, beside all of it, what a hospital's IT team would build instead: the same records'
     SHA-256 in a PostgreSQL table made append-only by a trigger (scripts/pg-baseline.sh),
     loaded and verified;
  5. the relation matcher: its speed (two resources of 2,000 items; a source of 2,000 items
     against a catalog of 50,000) and its quality on every labelled data set under
     bench/relations/ (precision, recall, F1 per relation kind), beside valentine's schema
     matchers on the same pairs (installed by `scripts/setup.sh --bench`);
  6. lineage on the dev node: a power-law DAG of --lineage-edges edges (default 100,000)
     recorded through the client (edges per second, calls in flight), then 200 ancestors
     and 200 descendants walks to depth 20 from random assets through the node's RPC
     (median, 95th percentile, largest), each checked against a breadth-first search over
     the same graph in memory (its time beside: the physical floor), and `lineage verify`
     of an asset with at least 1,000 ancestors, the certificates of step 2 among them.
  7. the node's RPC under load, on a chain of one institution founded with 200 ms blocks
     (so that 1,024 blocks take minutes): a hub of 100,000 descendants, the largest catalog
     pages (1,024 versions; 16,384 items), 1,024 certificates each in a block of its own;
     then 16 worst-case calls at once, 4 rounds (a walk with skip = u32::MAX from the hub,
     through medtrust_lineageDescendants and state_call; both catalog pages; the evidence of
     the 1,024 certificates) while system_health is asked every 50 ms: fails unless each call
     is answered or refused within 2 s and system_health answers within 500 ms at the 99th
     percentile.
With --relations-only, only step 5 (no node is started); with --lineage-only, a dev node, 200
certificates, and step 6; with --certificates-only, steps 1 to 4; with --load-only, step 7.
Prints each figure as it is measured and a summary at the end.
USAGE
}
records=1000000
chain_count=500
remarks=3000
certify_count=100000
consortium_count=10000
lineage_edges=100000
relations_only=false
lineage_only=false
certificates_only=false
load_only=false
while [ $# -gt 0 ]; do
	case "$1" in
		--relations-only) relations_only=true; shift ;;
		--lineage-only) lineage_only=true; shift ;;
		--certificates-only) certificates_only=true; shift ;;
		--load-only) load_only=true; shift ;;
		--lineage-edges) lineage_edges="$2"; shift 2 ;;
		-h | --help) usage; exit 0 ;;
		--records) records="$2"; shift 2 ;;
		--chain-count) chain_count="$2"; shift 2 ;;
		--remarks) remarks="$2"; shift 2 ;;
		--certify-count) certify_count="$2"; shift 2 ;;
		--consortium-count) consortium_count="$2"; shift 2 ;;
		*) usage >&2; exit 2 ;;
	esac
done

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"
if $lineage_only || $certificates_only || $load_only; then
	bash scripts/setup.sh
else
	# valentine, the matchers step 5 measures beside MedTrust's.
	bash scripts/setup.sh --bench
	source scripts/lib/valentine.sh
fi
build_all
# The tests' build compiles binaries only of crates with integration tests: not this one.
mcargo build --release --locked --workspace --bin medtrust-bench
BENCH="$CARGO_TARGET_DIR/release/medtrust-bench"
CLI="$MEDTRUST_CLI_BIN"

work="$(mktemp -d)"
node_pid=""
cleanup() {
	if [ -n "$node_pid" ]; then
		kill "$node_pid" 2>/dev/null || true
		wait "$node_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# Step 5: the relation matcher, beside valentine; prints its own summary.
relations() {
	log "5. the relation matcher: speed"
	"$BENCH" match --items 2000 --catalog 50000 | tee "$work/match.json"
	local set
	for set in bench/relations/*/; do
		log "5. the relation matcher on ${set}: MedTrust, then valentine"
		"$BENCH" evaluate --set "$set" | tee -a "$work/medtrust-eval.ndjson"
		"$VALENTINE_VENV/bin/python" scripts/valentine-eval.py "$set" | tee -a "$work/valentine-eval.ndjson"
	done
	python3 scripts/relations-summary.py "$work/match.json" "$work/medtrust-eval.ndjson" "$work/valentine-eval.ndjson"
}
if $relations_only; then
	relations
	exit 0
fi

# Step 6: lineage at scale on the dev node; prints its own summary.
lineage() {
	log "6. lineage: a power-law DAG of $lineage_edges edges, walks and verify"
	local from
	from=$(($(wc -l <"$work/node.log") + 1))
	"$BENCH" lineage --url "$url" --edges "$lineage_edges" --certificates "$1" | tee "$work/lineage.json"
	# The node's own account of the blocks made meanwhile: how long each took to build.
	tail -n "+$from" "$work/node.log" >"$work/lineage-node.log"
	python3 scripts/lineage-summary.py "$work/lineage.json" "$work/lineage-node.log"
}

# Starts medtrust-node with ARGS on a free loopback port, its log in LOG, and waits until it
# answers; sets node_pid and url.
start_node() { # start_node LOG ARGS...
	local log="$1" port
	shift
	port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
	"$MEDTRUST_NODE_BIN" "$@" --rpc-port "$port" --no-prometheus --no-telemetry --no-mdns \
		--listen-addr /ip4/127.0.0.1/tcp/0 >"$log" 2>&1 &
	node_pid=$!
	url="ws://127.0.0.1:$port"
	for _ in $(seq 1 120); do
		"$CLI" --url "$url" status >/dev/null 2>&1 && break
		sleep 0.5
	done
}

# A dev node on a free loopback port, with a LIS source and resource registered by //Alice.
start_dev_node() {
	start_node "$work/node.log" --dev --tmp
	export MEDTRUST_URL="$url" MEDTRUST_SIGNER=//Alice MEDTRUST_KEYS="$work/keys"
	"$CLI" keys create >/dev/null
	source_id="$("$CLI" catalog add-source --name 检验LIS --system LIS --domain LABORATORY)"
	"$CLI" catalog import --openapi scripts/lib/lis-api.yaml --source "$source_id" >/dev/null
	resource_id="$("$CLI" --json catalog show "$source_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["resources"][0]["id"])')"
}

# Step 7: the RPC under a burst of worst-case calls, on one institution founded with 200 ms
# blocks; prints its figures, fails when a target is missed.
load() {
	log "7. the RPC under load: one institution founded with 200 ms blocks"
	"$MEDTRUST_NODE_BIN" founding init --name 负载测试医院 --credit-code 121000004000003011 \
		--kind hospital --region 110101 --base-path "$work/load" >/dev/null
	"$MEDTRUST_NODE_BIN" founding spec --id medtrust_load --name 负载测试 --block-time 200 \
		"$work/load/institution.json" --out "$work/load.json" >/dev/null 2>&1
	start_node "$work/load-node.log" --chain "$work/load.json" --base-path "$work/load" --validator
	"$BENCH" load --url "$url" --signer "$work/load/admin.key" | tee "$work/load-figures.json"
}
if $load_only; then
	load
	exit 0
fi

if $lineage_only; then
	log "a dev node on a free loopback port; 200 certificates"
	start_dev_node
	"$BENCH" chain --url "$url" --source "$source_id" --resource "$resource_id" --count 200 >/dev/null
	lineage 200
	exit 0
fi

log "1. client-side certification of $records records"
client_sm3="$("$BENCH" client --records "$records" --algorithm sm3)"
echo "$client_sm3"
client_sha="$("$BENCH" client --records "$records" --algorithm sha-256)"
echo "$client_sha"

log "2. a dev node on a free loopback port"
start_dev_node
chain="$("$BENCH" chain --url "$url" --source "$source_id" --resource "$resource_id" --count "$chain_count")"
echo "$chain"

log "2b. $remarks system.remark through @polkadot/api, as a Substrate user would send them"
remark_rate="$(node cli/tests/polkadot-js/remark-rate.mjs "$url" "$remarks" 100)"
echo "$remark_rate"

log "3. anchoring $records records end to end (--batch: one certificate, one archive)"
"$BENCH" generate --records "$records" >"$work/records.ndjson"
started=$(date +%s.%N)
"$CLI" --json anchor "$work/records.ndjson" --source "$source_id" --resource "$resource_id" \
	--batch --out "$work/anchored" >"$work/anchor.json"
ended=$(date +%s.%N)
anchor="$(python3 - "$work/anchor.json" "$started" "$ended" "$records" "$work/anchored/certificates.cbor" <<'PY'
import json, os, sys
report = json.load(open(sys.argv[1]))
print(json.dumps({"records": int(sys.argv[4]), "processSeconds": round(float(sys.argv[3]) - float(sys.argv[2]), 2),
                  "archiveBytes": os.path.getsize(sys.argv[5]),
                  **{k + "Seconds": round(v, 2) for k, v in report["seconds"].items()}}))
PY
)"
echo "$anchor"
"$MEDTRUST_NODE_BIN" build-spec --chain dev --raw >"$work/dev-raw.json" 2>/dev/null
# Runs a command; prints {"<label>": its seconds}.
timed() {
	local label="$1" started ended
	shift
	started=$(date +%s.%N)
	"$@" >/dev/null
	ended=$(date +%s.%N)
	python3 -c 'import json,sys; print(json.dumps({sys.argv[1]: round(float(sys.argv[3]) - float(sys.argv[2]), 3)}))' \
		"$label" "$started" "$ended"
}
{
	timed extractSeconds "$CLI" certificate extract "$work/anchored" --record "$records" \
		--out "$work/certificate-last.json"
	timed verifyAllOnlineSeconds "$CLI" verify --all "$work/records.ndjson" "$work/anchored"
	timed verifyAllOfflineSeconds "$CLI" verify --all "$work/records.ndjson" "$work/anchored" \
		--offline --chain-spec "$work/dev-raw.json" --allow-dev-keys
} >"$work/archive.ndjson"
archive="$(python3 -c 'import json,sys; r={}; [r.update(json.loads(l)) for l in open(sys.argv[1])]; print(json.dumps(r))' "$work/archive.ndjson")"
echo "$archive"

log "3b. the first $certify_count of the same records anchored one certificate each"
head -n "$certify_count" "$work/records.ndjson" >"$work/each.ndjson"
from=$(($(wc -l <"$work/node.log") + 1))
read -r busy_before idle_before <<<"$(cpu_jiffies)"
"$CLI" --json anchor "$work/each.ndjson" --source "$source_id" --resource "$resource_id" \
	--out "$work/each" >"$work/each.json"
read -r busy_after idle_after <<<"$(cpu_jiffies)"
# With the machine's CPU meanwhile (node, client and the rest): the share of all cores' time
# that was busy, and busy CPU milliseconds per certified record.
each_records="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records"])' "$work/each.json")"
each="$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(json.dumps({"records": r["records"], **{k + "Seconds": round(v, 2) for k, v in r["seconds"].items()},
    **json.loads(sys.argv[2])}))' \
	"$work/each.json" "$(cpu_usage "$((busy_after - busy_before))" "$((idle_after - idle_before))" "$each_records")")"
echo "$each"
# The node's own account of the blocks meanwhile: how many transactions each held, how long
# each took to build, and why it stopped.
tail -n "+$from" "$work/node.log" | grep -E "Prepared block for proposing" |
	sed -E 's/.*\(([0-9]+) ms\).*end: ([A-Za-z]+); extrinsics_count: ([0-9]+).*/\1 \2 \3/' >"$work/blocks.txt" || true
rm -rf "$work/each"

consortium='{}'
if [ "$consortium_count" -gt 0 ]; then
	log "3c. the four-institution network: $consortium_count records per institution, all four anchoring at once"
	consortium="$(bash scripts/bench-consortium.sh "$work/records.ndjson" --per-institution "$consortium_count")"
	echo "$consortium"
fi

log "4. offline verification of one record"
tail -n 1 "$work/records.ndjson" >"$work/record-last.json"
offline="$("$BENCH" offline --record "$work/record-last.json" --certificate "$work/certificate-last.json" \
	--chain-spec "$work/dev-raw.json" --iterations 200)"
echo "$offline"

log "4b. what an IT team would build instead: PostgreSQL, SHA-256, an append-only trigger"
postgres="$(bash scripts/pg-baseline.sh "$work/records.ndjson")"
echo "$postgres"
rm -rf "$work/anchored"

python3 - "$client_sm3" "$client_sha" "$chain" "$anchor" "$offline" "$remark_rate" "$archive" "$each" "$postgres" "$consortium" "$work/blocks.txt" <<'PY'
import json, sys
sm3, sha, chain, anchor, offline, remarks, archive, each, pg, consortium = map(json.loads, sys.argv[1:11])
blocks = [l.split() for l in open(sys.argv[11]) if l.strip()]
full = sorted(int(b[0]) for b in blocks if b[1] == "HitBlockWeightLimit")
most = max((int(b[2]) - 1 for b in blocks), default=0)
n = anchor["records"]
print()
print("MedTrust benchmark ({:,} records, {} threads)".format(n, sm3["threads"]))
for c in (sm3, sha):
    print("  client {:<8} pipeline {:>10,.0f} records/s; raw hash {:>10,.0f} records/s on one core, {:>10,.0f} on all;"
          " ratio {:.2f}x (all cores), {:.2f}x (one core)".format(
        c["algorithm"], c["pipelineRecordsPerSecond"], c["rawHashOneCoreRecordsPerSecond"],
        c["rawHashAllCoresRecordsPerSecond"], c["ratioToRawHashAllCores"], c["ratioToRawHashOneCore"]))
    print("           canonicalise {:.2f} s, commit + encrypt + Merkle {:.2f} s".format(
        c["canonicaliseSeconds"], c["commitEncryptMerkleSeconds"]))
print("  system.remark through @polkadot/api: {:,} of {:,} finalized in {:.1f} s: {:.0f} tx/s (at most {} in a block)".format(
    remarks["landed"], remarks["count"], remarks["seconds"], remarks["perSecond"], remarks["mostInOneBlock"]))
print("  medtrust anchor, one certify each: {:,} certified (finalized) in {:.1f} s: {:.0f} tx/s;"
      " certificates written at {:.1f} s: {:.0f} records/s end to end".format(
    each["records"], each["certifiedSeconds"], each["records"] / each["certifiedSeconds"],
    each["writtenSeconds"], each["records"] / each["writtenSeconds"]))
print("           blocks meanwhile: at most {:,} transactions in one; {} full, built in {} ms median".format(
    most, len(full), full[len(full) // 2] if full else "-"))
if consortium:
    print("  four-institution network (four validators on this machine), each institution anchoring {:,} records"
          " through its own node at once: {:,} certified in {:.1f} s: {:.0f} tx/s; at most {:,} in a block".format(
        consortium["perInstitution"], consortium["certified"], consortium["seconds"], consortium["perSecond"],
        consortium["mostInOneBlock"]))
print("  bench client (a watch per transaction): certify {:.1f} tx/s, remark {:.1f} tx/s ({} of each); one certify to finality {:.2f} s".format(
    chain["certifyPerSecond"], chain["remarkPerSecond"], chain["count"], chain["singleCertifyFinalityMedianSeconds"]))
print("  anchor --batch: canonicalised {canonicalisedSeconds} s, committed {committedSeconds} s, certified"
      " (finalized, ciphertexts stored) {certifiedSeconds} s, archive written {writtenSeconds} s"
      " (process {processSeconds} s)".format(**anchor))
print("  archive: {:,} bytes ({:.1f} a record), written in {:.2f} s; one record extracted in {:.3f} s".format(
    anchor["archiveBytes"], anchor["archiveBytes"] / n, anchor["writtenSeconds"] - anchor["certifiedSeconds"],
    archive["extractSeconds"]))
print("  verify --all: online {:.2f} s ({:,.0f} records/s), offline {:.2f} s ({:,.0f} records/s); one record offline: {:.0f} per second".format(
    archive["verifyAllOnlineSeconds"], n / archive["verifyAllOnlineSeconds"],
    archive["verifyAllOfflineSeconds"], n / archive["verifyAllOfflineSeconds"], offline["offlineVerificationsPerSecond"]))
print("  PostgreSQL, SHA-256 into an append-only table: {:,} records in {:.2f} s ({:,.0f}/s), verified in {:.2f} s ({:,.0f}/s); UPDATE refused: {}".format(
    pg["records"], pg["certifySeconds"], pg["certifyPerSecond"], pg["verifySeconds"], pg["verifyPerSecond"], pg["updateRefused"]))
PY
$certificates_only && exit 0
lineage "$chain_count"
relations
kill "$node_pid" 2>/dev/null || true
wait "$node_pid" 2>/dev/null || true
node_pid=""
load
