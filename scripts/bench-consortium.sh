#!/usr/bin/env bash
# Per-record anchoring on the four-institution local consortium: every institution anchors
# its own records at once, one `certify` transaction each, through its own validator node.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/bench-consortium.sh [--help] <records.ndjson> [--per-institution N]

Founds a consortium of four institutions on fresh keys (scripts/run.sh --consortium 4: four
validators on loopback, free ports, a temporary directory, stopped and deleted at the end;
the binaries must be built). Each institution, signing with its admin's key, registers a
laboratory source and resource, then all four run `medtrust anchor` at once through their
own nodes, each on N records (default 10,000) of the file, one certificate per record. Each
institution may use a quarter of a block (its fair share, pallet-consortium). Prints one
JSON object: perInstitution, institutions, certified (all), seconds (from the first start to
the last run's end, certificates written), perSecond, each institution's own seconds, and
the blocks built meanwhile (most transactions in one, and how many), and the machine's CPU
meanwhile (cpuBusy: the share of all cores' time that was busy; cpuMsPerCertified: busy CPU
milliseconds, all processes, per certified record; nodesCpuMsPerCertified: the four nodes'
part of it). KEEP=1 keeps the
temporary directory (the nodes' logs, each run's output) and says where.
USAGE
}
per=10000
records=""
while [ $# -gt 0 ]; do
	case "$1" in
		-h | --help) usage; exit 0 ;;
		--per-institution) per="${2:?}"; shift 2 ;;
		*) records="$1"; shift ;;
	esac
done
[ -n "$records" ] || { usage >&2; exit 2; }
records="$(realpath "$records")"

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"
CLI="$MEDTRUST_CLI_BIN"
work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Four consecutive free ports from a random base (run.sh numbers its nodes' ports so).
consecutive_ports() {
	python3 - <<'PY'
import random, socket
while True:
    base = random.randint(20000, 60000)
    try:
        socks = []
        for p in range(base, base + 4):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()
PY
}
rpc="$(consecutive_ports)"
p2p="$(consecutive_ports)"
network=""
cleanup() {
	if [ -n "$network" ]; then kill -TERM "$network" 2>/dev/null || true; wait "$network" 2>/dev/null || true; fi
	if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

bash scripts/run.sh --consortium 4 --no-setup --no-build --data-dir "$work/network" --purge \
	--rpc-port "$rpc" --p2p-port "$p2p" >"$work/run.log" 2>&1 &
network=$!
for _ in $(seq 1 180); do
	grep -q "all 4 nodes answer" "$work/run.log" && break
	kill -0 "$network" 2>/dev/null || { cat "$work/run.log" >&2; exit 1; }
	sleep 1
done
grep -q "all 4 nodes answer" "$work/run.log" || { cat "$work/run.log" >&2; exit 1; }
# Blocks finalized: the network is live.
for _ in $(seq 1 120); do
	"$CLI" --url "ws://127.0.0.1:$rpc" --json status 2>/dev/null |
		python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["finalized"]["number"] >= 2 else 1)' && break
	sleep 1
done

head -n "$per" "$records" >"$work/records.ndjson"
signers=()
for n in 1 2 3 4; do signers+=("$work/network/institution-$n/admin.key"); done
args=()
for i in 0 1 2 3; do
	url="ws://127.0.0.1:$((rpc + i))"
	cli=(env MEDTRUST_KEYS="$work/keys-$i" "$CLI" --url "$url" --signer "${signers[$i]}")
	"${cli[@]}" keys create >/dev/null
	source_id="$("${cli[@]}" catalog add-source --name "LIS $i" --system LIS --domain LABORATORY)"
	"${cli[@]}" catalog import --openapi scripts/lib/lis-api.yaml --source "$source_id" >/dev/null
	resource_id="$("${cli[@]}" --json catalog show "$source_id" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["resources"][0]["id"])')"
	args+=("$url ${signers[$i]} $source_id $resource_id")
done

from=()
for n in 1 2 3 4; do from+=($(($(wc -l <"$work/network/node-$n.log") + 1))); done
# The four nodes' own CPU time (user and system, clock ticks).
node_ticks() {
	local total=0 pid
	for pid in $(pgrep -f -- "--base-path $work/network/institution-"); do
		total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
	done
	echo "$total"
}
read -r busy_before idle_before <<<"$(cpu_jiffies)"
nodes_before="$(node_ticks)"
started="$(date +%s.%N)"
pids=()
for i in 0 1 2 3; do
	read -r url signer source_id resource_id <<<"${args[$i]}"
	MEDTRUST_KEYS="$work/keys-$i" "$CLI" --url "$url" --signer "$signer" --json anchor \
		"$work/records.ndjson" --source "$source_id" --resource "$resource_id" \
		--out "$work/out-$i" >"$work/anchor-$i.json" 2>"$work/anchor-$i.err" &
	pids+=($!)
done
for i in 0 1 2 3; do
	wait "${pids[$i]}" || { echo "institution $i's anchor failed:" >&2; cat "$work/anchor-$i.err" >&2; exit 1; }
done
ended="$(date +%s.%N)"
read -r busy_after idle_after <<<"$(cpu_jiffies)"
nodes_after="$(node_ticks)"
# Every validator builds blocks in turn; each one's log says what it put in its own.
for n in 1 2 3 4; do
	tail -n "+${from[$((n - 1))]}" "$work/network/node-$n.log" |
		grep -E "Prepared block for proposing" |
		sed -E 's/.*extrinsics_count: ([0-9]+).*/\1/' || true
done >"$work/blocks.txt"

certified="$(python3 -c 'import json,sys; print(sum(json.load(open(f))["records"] for f in sys.argv[1:]))' "$work"/anchor-{0,1,2,3}.json)"
# The whole machine (the four nodes, the four clients, the rest) meanwhile, and the nodes' part.
cpu="$(cpu_usage "$((busy_after - busy_before))" "$((idle_after - idle_before))" "$certified")"
nodes_cpu="$(cpu_usage "$((nodes_after - nodes_before))" 0 "$certified")"
python3 - "$per" "$started" "$ended" "$work" "$cpu" "$nodes_cpu" <<'PY'
import json, sys
per, started, ended, work = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
cpu, nodes = json.loads(sys.argv[5]), json.loads(sys.argv[6])
runs = [json.load(open(f"{work}/anchor-{i}.json")) for i in range(4)]
certified = sum(r["records"] for r in runs)
blocks = [int(l) - 1 for l in open(f"{work}/blocks.txt") if l.strip()]
seconds = ended - started
print(json.dumps({
    "perInstitution": per,
    "institutions": 4,
    "certified": certified,
    "seconds": round(seconds, 2),
    "perSecond": round(certified / seconds, 1),
    "institutionSeconds": [round(r["seconds"]["written"], 2) for r in runs],
    "mostInOneBlock": max(blocks, default=0),
    "blocksWithTransactions": sum(1 for b in blocks if b > 0),
    **cpu,
    "nodesCpuMsPerCertified": nodes["cpuMsPerCertified"],
}))
PY
