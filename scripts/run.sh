#!/usr/bin/env bash
# Sets up, builds and runs MedTrust: a dev node, or a local consortium of four institutions.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/run.sh [--consortium N] [options]

Installs prerequisites (scripts/setup.sh), builds the release binaries, then runs:
  (default)          one development validator (Alice) on a throw-away chain:
                     JSON-RPC at ws://127.0.0.1:9944
  --consortium N     a consortium of N institutions (1 to 8; 4 tolerates one failure)
                     founded on fresh keys (medtrust-node founding init / spec), one
                     validator node per institution on loopback: JSON-RPC at
                     ws://127.0.0.1:9944 .., p2p at 30333 ..; each admin's key is
                     DIR/institution-N/admin.key (medtrust --signer)

Options:
  --data-dir DIR     where the consortium's keys, chain spec, databases and logs are kept
                     (default: $HOME/.local/share/medtrust/consortium); kept between runs
  --purge            delete DIR first: found a new consortium on new keys
  --rpc-port PORT    first JSON-RPC port (default 9944)
  --p2p-port PORT    first peer-to-peer port (default 30333)
  --no-setup         skip scripts/setup.sh
  --no-build         use the binaries already built
  -h, --help         this help

Each node's URL is printed once it answers. Ctrl-C or SIGTERM stops every node. A consortium
node that exits is reported (with the command that restarts it on its database) and the
others keep running: finality needs more than two thirds of the validators.
Logs of consortium nodes: DIR/node-N.log.
USAGE
}

consortium=0
data_dir="${HOME}/.local/share/medtrust/consortium"
purge=0
rpc_port=9944
p2p_port=30333
do_setup=1
do_build=1
while [ $# -gt 0 ]; do
	case "$1" in
		--consortium) consortium="${2:?--consortium needs a number}"; shift 2 ;;
		--data-dir) data_dir="${2:?--data-dir needs a directory}"; shift 2 ;;
		--purge) purge=1; shift ;;
		--rpc-port) rpc_port="${2:?}"; shift 2 ;;
		--p2p-port) p2p_port="${2:?}"; shift 2 ;;
		--no-setup) do_setup=0; shift ;;
		--no-build) do_build=0; shift ;;
		-h | --help) usage; exit 0 ;;
		*) printf 'unknown option: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
	esac
done

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"

case "$consortium" in
	[0-8]) ;;
	*) die "--consortium: 1 to 8 institutions" ;;
esac
[ "$do_setup" = 1 ] && bash scripts/setup.sh
[ "$do_build" = 1 ] && build_all
[ -x "$MEDTRUST_NODE_BIN" ] || die "no node binary at $MEDTRUST_NODE_BIN: run without --no-build"

pids=()
stop_all() {
	trap - INT TERM EXIT
	if [ "${#pids[@]}" -gt 0 ]; then
		log "stopping ${#pids[@]} node(s)"
		kill -TERM "${pids[@]}" 2>/dev/null || true
		wait "${pids[@]}" 2>/dev/null || true
	fi
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

# Waits until the node's JSON-RPC answers, or fails if the node died.
wait_for_rpc() {
	local port=$1 pid=$2 log_file=$3
	for _ in $(seq 1 120); do
		kill -0 "$pid" 2>/dev/null || die "node on port $port exited; see $log_file"
		if curl -s -m 2 -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
			"http://127.0.0.1:$port" | grep -q '"result"'; then
			return 0
		fi
		sleep 1
	done
	die "node on port $port did not answer within 120 s; see $log_file"
}

if [ "$consortium" = 0 ]; then
	log "starting a development node (Alice, throw-away state)"
	"$MEDTRUST_NODE_BIN" --dev --tmp --rpc-port "$rpc_port" --port "$p2p_port" &
	pids+=($!)
	wait_for_rpc "$rpc_port" "${pids[0]}" "the output above"
	printf 'dev node: ws://127.0.0.1:%s\n' "$rpc_port"
	wait "${pids[0]}"
	exit $?
fi

# A consortium founded on fresh keys, as institutions found one (docs/founding.md): each
# institution's keys made by `medtrust-node founding init` in its own directory, the chain spec
# built by `founding spec` from their institution.json files. Kept between runs (--purge
# founds a new one); nothing of the well-known development keys is in it.
[ "$purge" = 1 ] && rm -rf "$data_dir"
mkdir -p "$data_dir"
chmod 700 "$data_dir"
spec="$data_dir/spec.json"
if [ ! -f "$spec" ]; then
	log "founding a consortium of $consortium institutions on fresh keys in $data_dir"
	files=()
	# name, credit code, kind, region of each institution (check characters computed).
	python3 - "$consortium" >"$data_dir/founders.tsv" <<'PY'
import sys
ALPHABET, WEIGHTS = "0123456789ABCDEFGHJKLMNPQRTUWXY", [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
def code(first17):
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return first17 + ALPHABET[(31 - total % 31) % 31]
known = [("北京协和医院", "121000004000003011", "hospital", "110101"),
         ("上海交通大学医学院附属瑞金医院", "123100004250005125", "hospital", "310101"),
         ("广州金域医学检验中心", "91440101MA5CXN2K7P", "lab", "440112"),
         ("北京市卫生健康委员会", "11110000000021135M", "health-commission", "110102")]
for i in range(int(sys.argv[1])):
    row = known[i] if i < len(known) else (f"示范医院{i + 1}", code(f"12110105MB{i + 1:07d}"), "hospital", "110105")
    print("\t".join(row))
PY
	i=0
	while IFS=$'\t' read -r name code kind region; do
		i=$((i + 1))
		"$MEDTRUST_NODE_BIN" founding init --name "$name" --credit-code "$code" --kind "$kind" \
			--region "$region" --base-path "$data_dir/institution-$i" >/dev/null 2>>"$data_dir/founding.log"
		files+=("$data_dir/institution-$i/institution.json")
	done <"$data_dir/founders.tsv"
	genesis=$("$MEDTRUST_NODE_BIN" founding spec --id medtrust_consortium \
		--name "MedTrust 本机联盟" "${files[@]}" --out "$spec" 2>>"$data_dir/founding.log")
	log "chain spec $spec, genesis $genesis"
fi
count=$(ls -d "$data_dir"/institution-* | wc -l)
[ "$count" = "$consortium" ] || die "$data_dir holds a consortium of $count institutions: use --purge to found one of $consortium"
bootnodes=()
for i in $(seq 1 "$consortium"); do
	peer_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["peerId"])' \
		"$data_dir/institution-$i/institution.json")
	bootnodes+=("/ip4/127.0.0.1/tcp/$((p2p_port + i - 1))/p2p/$peer_id")
done
node_args() {
	local i=$1
	printf '%s\n' --chain "$spec" --validator --base-path "$data_dir/institution-$i" \
		--rpc-port "$((rpc_port + i - 1))" --listen-addr "/ip4/127.0.0.1/tcp/$((p2p_port + i - 1))" \
		--no-mdns --no-telemetry --bootnodes "${bootnodes[@]}"
}
for i in $(seq 1 "$consortium"); do
	mapfile -t args < <(node_args "$i")
	"$MEDTRUST_NODE_BIN" "${args[@]}" >"$data_dir/node-$i.log" 2>&1 &
	pids+=($!)
done
for i in $(seq 1 "$consortium"); do
	wait_for_rpc "$((rpc_port + i - 1))" "${pids[$((i - 1))]}" "$data_dir/node-$i.log"
	printf 'institution %d: ws://127.0.0.1:%s  --signer %s\n' "$i" "$((rpc_port + i - 1))" \
		"$data_dir/institution-$i/admin.key"
done
log "all $consortium nodes answer; logs in $data_dir; Ctrl-C stops them"
# A node that exits (killed to try a fault, say) is reported and the others go on, as the
# other institutions' validators would: finality needs more than two thirds. Restarted by hand
# on its database (the command printed), it catches up.
reported=()
while :; do
	running=0
	for i in $(seq 1 "$consortium"); do
		if kill -0 "${pids[$((i - 1))]}" 2>/dev/null; then
			running=$((running + 1))
		elif [ -z "${reported[$i]:-}" ]; then
			reported[i]=1
			log "node $i exited (see $data_dir/node-$i.log); the others go on"
			mapfile -t args < <(node_args "$i")
			printf '  restart it with: %q' "$MEDTRUST_NODE_BIN"
			printf ' %q' "${args[@]}"
			printf '\n'
		fi
	done
	[ "$running" -gt 0 ] || break
	sleep 1
done
die "every node exited; see the logs in $data_dir"
