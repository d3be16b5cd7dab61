#!/usr/bin/env bash
# Sets up, builds and runs MedTrust: a dev node, or a local consortium of four institutions.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/run.sh [--consortium 4] [options]

Installs prerequisites (scripts/setup.sh), builds the release binaries, then runs:
  (default)          one development validator (Alice) on a throw-away chain:
                     JSON-RPC at ws://127.0.0.1:9944
  --consortium 4     the four-institution local consortium of chain-specs/local.json on
                     loopback, one validator node per institution (Alice, Bob, Charlie, Dave):
                     JSON-RPC at ws://127.0.0.1:9944 .. 9947, p2p at 30333 .. 30336

Options:
  --data-dir DIR     where consortium nodes keep their databases, keys and logs
                     (default: $HOME/.local/share/medtrust/consortium); kept between runs
  --purge            delete the consortium's databases first (start from genesis)
  --rpc-port PORT    first JSON-RPC port (default 9944)
  --p2p-port PORT    first peer-to-peer port (default 30333)
  --no-setup         skip scripts/setup.sh
  --no-build         use the binaries already built
  -h, --help         this help

Each node's URL is printed once it answers. Ctrl-C or SIGTERM stops every node. A consortium
node that exits is reported (with the command that restarts it on its database) and the
others keep running: finality needs three of the four validators.
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

if [ "$consortium" != 0 ] && [ "$consortium" != 4 ]; then
	die "--consortium: the local consortium (chain-specs/local.json) has exactly 4 institutions"
fi
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

# The local consortium. Its chain spec registers the peer ids of the test node keys in
# chain-specs/local-node-keys/: only nodes with those keys may connect to each other.
names=(alice bob charlie dave)
[ "$purge" = 1 ] && rm -rf "$data_dir"
mkdir -p "$data_dir"
bootnodes=()
for i in 0 1 2 3; do
	key_file="$data_dir/node-$((i + 1)).node-key"
	cp "chain-specs/local-node-keys/node-$((i + 1)).key" "$key_file"
	peer_id=$("$MEDTRUST_NODE_BIN" key inspect-node-key --file "$key_file")
	bootnodes+=("/ip4/127.0.0.1/tcp/$((p2p_port + i))/p2p/$peer_id")
done
for i in 0 1 2 3; do
	log_file="$data_dir/node-$((i + 1)).log"
	"$MEDTRUST_NODE_BIN" \
		--chain chain-specs/local.json \
		--"${names[$i]}" \
		--base-path "$data_dir/node-$((i + 1))" \
		--node-key-file "$data_dir/node-$((i + 1)).node-key" \
		--rpc-port "$((rpc_port + i))" \
		--listen-addr "/ip4/127.0.0.1/tcp/$((p2p_port + i))" \
		--bootnodes "${bootnodes[@]}" \
		--no-mdns \
		--no-telemetry \
		>"$log_file" 2>&1 &
	pids+=($!)
done
for i in 0 1 2 3; do
	wait_for_rpc "$((rpc_port + i))" "${pids[$i]}" "$data_dir/node-$((i + 1)).log"
	printf '%s node %d (%s): ws://127.0.0.1:%s\n' "local consortium" "$((i + 1))" \
		"${names[$i]}" "$((rpc_port + i))"
done
log "all four nodes answer; logs in $data_dir; Ctrl-C stops them"
# A node that exits (killed to try a fault, say) is reported and the others go on, as the
# other institutions' validators would: finality needs three of four. Restarted by hand on
# its database (the command printed), it catches up.
reported=()
while :; do
	running=0
	for i in 0 1 2 3; do
		if kill -0 "${pids[$i]}" 2>/dev/null; then
			running=$((running + 1))
		elif [ -z "${reported[$i]:-}" ]; then
			reported[i]=1
			log "node $((i + 1)) (${names[$i]}) exited (see $data_dir/node-$((i + 1)).log); the others go on"
			printf '  restart it with: %q --chain chain-specs/local.json --%s --base-path %q --node-key-file %q --rpc-port %s --listen-addr /ip4/127.0.0.1/tcp/%s --bootnodes %s --no-mdns --no-telemetry\n' \
				"$MEDTRUST_NODE_BIN" "${names[$i]}" "$data_dir/node-$((i + 1))" \
				"$data_dir/node-$((i + 1)).node-key" "$((rpc_port + i))" "$((p2p_port + i))" \
				"${bootnodes[*]}"
		fi
	done
	[ "$running" -gt 0 ] || break
	sleep 1
done
die "every node exited; see the logs in $data_dir"
