#!/usr/bin/env bash
# Builds the node image and runs the four-institution compose file: finality at a common height
# on all four containers, then with one stopped; tears everything down.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/docker-test.sh [--help] [--available]

Builds the image from the release binaries (docker/build-image.sh; build them first), brings
up docker/docker-compose.yml under a project name of its own, waits until the four validators
report the same block hash at a common finalized height, checks that no validator serves
JSON-RPC on the containers' network and that institution 1's RPC node, once registered, syncs
and does, stops one validator and checks that the other three (and the RPC node) finalize on,
then removes the containers, their network, volumes and image.
The containers are on an internal network: they reach each other and this machine's test,
nothing else.

Needs Docker (Debian's docker.io and docker-compose, installed by scripts/setup.sh) and root
(it enters the containers' network namespaces with nsenter to reach the validators' loopback
RPC). If no daemon answers, it starts dockerd for the test and stops it after.

  --available   exit 0 if Docker can be used here (scripts/test.sh runs this test then), 1 if
                not, saying why
USAGE
}

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$MEDTRUST_ROOT"

docker_ready() { docker info >/dev/null 2>&1; }

available() {
	command -v docker >/dev/null || { echo "no docker client (Debian's docker.io)"; return 1; }
	command -v docker-compose >/dev/null || { echo "no docker-compose"; return 1; }
	[ "$(id -u)" = 0 ] || { echo "not root (the test enters the containers' network namespaces)"; return 1; }
	command -v nsenter >/dev/null || { echo "no nsenter (util-linux)"; return 1; }
	docker_ready && return 0
	command -v dockerd >/dev/null || { echo "no Docker daemon, and no dockerd to start"; return 1; }
}

case "${1:-}" in
	-h | --help) usage; exit 0 ;;
	--available) available; exit ;;
	"") ;;
	*) usage >&2; exit 2 ;;
esac
reason="$(available)" || die "Docker cannot be used here: $reason"

started=$SECONDS
project="medtrust-test-$$"
image="medtrust-node:test-$$"
work="$(mktemp -d)"
dockerd_pid=""
compose() { MEDTRUST_IMAGE="$image" docker-compose -f docker/docker-compose.yml -p "$project" "$@"; }

cleanup() {
	set +e
	compose down --volumes --timeout 5 >"$work/down.log" 2>&1
	docker image rm "$image" >/dev/null 2>&1
	if [ -n "$dockerd_pid" ]; then
		kill "$dockerd_pid" 2>/dev/null
		wait "$dockerd_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT

if ! docker_ready; then
	log "starting dockerd for this test"
	dockerd >"$work/dockerd.log" 2>&1 &
	dockerd_pid=$!
	for _ in $(seq 60); do docker_ready && break; sleep 0.5; done
	docker_ready || die "dockerd did not start: $(tail -3 "$work/dockerd.log")"
fi

[ -x "$MEDTRUST_NODE_BIN" ] || build_all
bash docker/build-image.sh "$image"
log "starting the four institutions (project $project)"
compose up -d 2>&1 | sed 's/^/  /'

network="${project}_consortium"
[ "$(docker network inspect -f '{{.Internal}}' "$network")" = true ] ||
	die "network $network is not internal: the containers could reach beyond this machine"
ip_of() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "${project}_$1_1"; }
pid_of() { docker inspect -f '{{.State.Pid}}' "${project}_$1_1"; }
for name in institution-1 institution-2 institution-3 institution-4 rpc-1; do
	[ -n "$(ip_of "$name")" ] || die "$name has no address"
done

# The result of a JSON-RPC call over HTTP to URL.
post() { # post URL METHOD PARAMS
	curl -sf --max-time 5 -H 'Content-Type: application/json' -H 'Host: localhost:9944' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":$3}" "$1" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["result"])'
}
# A call to container NAME's node on its loopback, from inside its network namespace: the
# validators serve nobody else.
rpc() { # rpc NAME METHOD PARAMS
	local pid
	pid="$(pid_of "$1")" || return 1
	nsenter -t "$pid" -n curl -sf --max-time 5 -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":$3}" http://127.0.0.1:9944 |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["result"])'
}
finalized_number() { # finalized_number NAME
	local hash
	hash="$(rpc "$1" chain_getFinalizedHead '[]')" || return 1
	rpc "$1" chain_getHeader "[\"$hash\"]" | python3 -c \
		'import ast, sys; print(int(ast.literal_eval(sys.stdin.read())["number"], 16))'
}

# Waits until every listed container has finalized at least block MIN and all hold the same
# block at the lowest finalized height among them; prints that height.
common_finality() { # common_finality MIN TIMEOUT NAME...
	local min=$1 timeout=$2 deadline=$((SECONDS + $2))
	shift 2
	while [ $SECONDS -lt $deadline ]; do
		local lowest="" ok=1 n f
		for n in "$@"; do
			f="$(finalized_number "$n" 2>/dev/null)" || { ok=0; break; }
			[ -z "$lowest" ] || [ "$f" -lt "$lowest" ] && lowest=$f
		done
		if [ "$ok" = 1 ] && [ "$lowest" -ge "$min" ]; then
			local first="" hash same=1
			for n in "$@"; do
				hash="$(rpc "$n" chain_getBlockHash "[$lowest]")"
				[ -z "$first" ] && first=$hash
				[ "$hash" = "$first" ] || same=0
			done
			[ "$same" = 1 ] && { echo "$lowest $first"; return 0; }
			die "containers disagree on finalized block #$lowest"
		fi
		sleep 2
	done
	die "no common finality at #$min within ${timeout} s"
}

t=$SECONDS
read -r height hash < <(common_finality 3 180 institution-1 institution-2 institution-3 institution-4)
log "all four finalized #$height ($hash) $((SECONDS - t)) s after start"
docker exec "${project}_institution-1_1" medtrust status | sed 's/^/  /'

# The validators' RPC is theirs alone; institution 1's RPC node serves the network once its
# peer id, registered by register-rpc-1, is final.
for n in 1 2 3 4; do
	if post "http://$(ip_of "institution-$n"):9944" system_health '[]' >/dev/null 2>&1; then
		die "institution-$n's validator answers JSON-RPC on the containers' network"
	fi
done
# register-rpc-1 runs again until it succeeds (restart: on-failure).
registered=""
for _ in $(seq 60); do
	state="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "${project}_register-rpc-1_1")"
	[ "$state" = "exited 0" ] && { registered=1; break; }
	sleep 2
done
[ -n "$registered" ] ||
	die "registering rpc-1 failed: $(docker logs "${project}_register-rpc-1_1" 2>&1 | tail -3)"
docker logs "${project}_register-rpc-1_1" 2>&1 | sed 's/^/  /'
t=$SECONDS
read -r synced _ < <(common_finality $((height + 1)) 120 institution-1 rpc-1)
public="$(post "http://$(ip_of rpc-1):9944" chain_getBlockHash "[$synced]")" ||
	die "rpc-1 does not answer on the containers' network"
[ "$public" = "$(rpc institution-1 chain_getBlockHash "[$synced]")" ] ||
	die "rpc-1 answers another block #$synced"
log "rpc-1 registered, synced to #$synced and serving the network $((SECONDS - t)) s later"

log "stopping institution-4"
compose stop --timeout 5 institution-4 2>&1 | sed 's/^/  /'
t=$SECONDS
read -r after after_hash < <(common_finality $((synced + 3)) 90 institution-1 institution-2 institution-3 rpc-1)
log "three of four finalized on to #$after ($after_hash), $((SECONDS - t)) s after the stop; rpc-1 with them"

log "docker test passed in $((SECONDS - started)) s"
