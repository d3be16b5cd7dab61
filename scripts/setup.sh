#!/usr/bin/env bash
# Installs everything MedTrust needs to build and test, idempotently.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/setup.sh [--help] [--bench]

Installs MedTrust's prerequisites, skipping what is already there:
  - Debian packages: protobuf-compiler clang libclang-dev libssl-dev pkg-config
    (the node's networking and cryptography build against them), nodejs and npm
    (the Polkadot.js client test), postgresql (the catalog import test starts its own
    server on a loopback port; no system service is used), docker.io, docker-compose,
    curl and ca-certificates (scripts/docker-test.sh: the node image and the compose file);
  - Rust: the wasm32v1-none target (the runtime is compiled to WebAssembly) and the
    rust-src component, through rustup.
  - Python tools of the tests (scripts/requirements.txt, pinned) in a venv under the cache;
  - real producers' OpenLineage events for the lineage import test: the Apache Airflow
    OpenLineage provider's system-test events (apache-airflow-providers-openlineage 2.20.3's
    source distribution from PyPI, checked against its SHA-256), unpacked under the cache.
With --bench, also what scripts/bench.sh compares against: the `valentine` schema matchers
(scripts/requirements-bench.txt; valentine 1.1.0 needs Python 3.12 or later, found on PATH or
under pyenv) in their own venv, and the NLTK data its Cupid and COMA matchers read, built
from Debian's WordNet and stop-word packages (nothing is downloaded at run time).
Runs apt-get update before installing any Debian package. Needs root (or sudo) for apt-get.
Prints what it installed and what was already present.
USAGE
}

bench=false
case "${1:-}" in
	-h | --help) usage; exit 0 ;;
	--bench) bench=true ;;
	"") ;;
	*) usage >&2; exit 2 ;;
esac

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# docker.io, docker-compose, curl, ca-certificates: scripts/docker-test.sh (the node image and
# the four-institution compose file, run for real).
DEBIAN_PACKAGES=(protobuf-compiler clang libclang-dev libssl-dev pkg-config nodejs npm postgresql python3-venv
	docker.io docker-compose curl ca-certificates)
if $bench; then
	# WordNet and English stop words for valentine's Cupid and COMA (NLTK data, built below).
	DEBIAN_PACKAGES+=(wordnet-base wordnet-sense-index liblingua-stopwords-perl)
fi

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
		:
	elif [ "$pkg" = npm ] && command -v npm >/dev/null; then
		: # npm that came with a Node.js installation outside Debian's packages
	elif [ "$pkg" = nodejs ] && command -v node >/dev/null; then
		:
	else
		missing+=("$pkg")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	log "Debian packages: all present (${DEBIAN_PACKAGES[*]})"
else
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "installing ${missing[*]} needs root or sudo"
		SUDO=sudo
	fi
	log "Debian packages: installing ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
	log "Debian packages: installed ${missing[*]}"
fi

command -v rustup >/dev/null || die "rustup is required (https://rustup.rs); it manages the Wasm target"
if rustup target list --installed | grep -qx wasm32v1-none; then
	log "Rust target wasm32v1-none: present"
else
	log "Rust target wasm32v1-none: installing"
	rustup target add wasm32v1-none
fi
if rustup component list --installed | grep -q '^rust-src'; then
	log "Rust component rust-src: present"
else
	log "Rust component rust-src: installing"
	rustup component add rust-src
fi
# Python tools of the tests (scripts/requirements.txt, pinned) in a venv under the cache.
VENV="$HOME/.cache/medtrust/venv"
if [ -x "$VENV/bin/python" ] && cmp -s "$MEDTRUST_CLONE/scripts/requirements.txt" "$VENV/requirements.txt"; then
	log "Python tools: present ($VENV)"
else
	log "Python tools: installing into $VENV"
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$MEDTRUST_CLONE/scripts/requirements.txt"
	cp "$MEDTRUST_CLONE/scripts/requirements.txt" "$VENV/requirements.txt"
fi
# Real producers' OpenLineage events (cli/tests/lineage/corpus.py reads them).
CORPUS="$HOME/.cache/medtrust/openlineage-corpus"
CORPUS_SDIST=apache_airflow_providers_openlineage-2.20.3.tar.gz
CORPUS_SHA256=71736d8234dd46f8b29b400246e8d5b1917e4948bc202d02cf242cf56e8adc34
if [ -f "$CORPUS/expected_events/.complete" ]; then
	log "OpenLineage producers' events: present ($CORPUS)"
else
	log "OpenLineage producers' events: downloading $CORPUS_SDIST into $CORPUS"
	rm -rf "$CORPUS" && mkdir -p "$CORPUS"
	"$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
		-d "$CORPUS" apache-airflow-providers-openlineage==2.20.3
	echo "$CORPUS_SHA256  $CORPUS/$CORPUS_SDIST" | sha256sum --check --quiet
	tar -xzf "$CORPUS/$CORPUS_SDIST" -C "$CORPUS" --strip-components=4 --wildcards \
		'*/tests/system/openlineage/expected_events/*.json'
	touch "$CORPUS/expected_events/.complete"
fi
if $bench; then
	source "$MEDTRUST_CLONE/scripts/lib/valentine.sh"
	setup_valentine
fi
log "setup complete ($(rustc --version))"
