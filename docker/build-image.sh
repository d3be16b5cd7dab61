#!/usr/bin/env bash
# Builds the MedTrust node image from the binaries this repository builds: no base image, no
# registry, no package download.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: docker/build-image.sh [--help] [TAG]

Builds the image TAG (default: medtrust-node) holding medtrust-node and the medtrust CLI of
the release build (build them first: scripts/run.sh --no-setup, or scripts/test.sh), the
shared libraries they link (glibc, libgcc, libm: nothing else), the root certificates of
Debian's ca-certificates (the node's HTTP clients load them at start), the chain specs of
chain-specs/ and an unprivileged user `medtrust` (uid 1000) owning /var/lib/medtrust. The
image is a root file system imported with `docker import`: it needs no base image and no
registry. Run as a user who may use Docker (root here).
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
cd "$MEDTRUST_ROOT"
tag="${1:-medtrust-node}"
for bin in "$MEDTRUST_NODE_BIN" "$MEDTRUST_CLI_BIN"; do
	[ -x "$bin" ] || die "no $bin: build the release binaries first (scripts/run.sh --no-setup)"
done

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{usr/local/bin,etc/medtrust,etc/ssl/certs,var/lib/medtrust,tmp}
cp "$MEDTRUST_NODE_BIN" "$MEDTRUST_CLI_BIN" "$root/usr/local/bin/"
# The node's HTTP clients load the system's root certificates at start, and stop without them.
[ -f /etc/ssl/certs/ca-certificates.crt ] || die "no /etc/ssl/certs/ca-certificates.crt (Debian's ca-certificates)"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
cp -r chain-specs "$root/etc/medtrust/"
# The libraries the binaries link, at the paths the loader looks for them.
for lib in $(ldd "$MEDTRUST_NODE_BIN" "$MEDTRUST_CLI_BIN" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u); do
	cp -L --parents "$lib" "$root"
done
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nmedtrust:x:1000:1000:MedTrust node:/var/lib/medtrust:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nmedtrust:x:1000:\n' >"$root/etc/group"
chmod 1777 "$root/tmp"
chown -R 1000:1000 "$root/var/lib/medtrust"

tar --numeric-owner -C "$root" -c . | docker import \
	--change 'USER medtrust' \
	--change 'WORKDIR /var/lib/medtrust' \
	--change 'ENV PATH=/usr/local/bin' \
	--change 'EXPOSE 30333 9944 9615' \
	--change 'VOLUME /var/lib/medtrust' \
	--change 'ENTRYPOINT ["/usr/local/bin/medtrust-node"]' \
	--change 'CMD ["--help"]' \
	--message "medtrust-node $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	- "$tag" >/dev/null
log "built image $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
