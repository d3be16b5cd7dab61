#!/usr/bin/env bash
# What a hospital's IT team would build instead of a chain: a PostgreSQL table of SHA-256
# hashes of the records, append-only by a trigger. Measures, on a fresh cluster of its own
# (temporary directory, loopback, a free port; stopped and deleted at the end), loading and
# hashing the records into it, and verifying every record against it.
set -euo pipefail

usage() {
	cat <<'USAGE'
Usage: scripts/pg-baseline.sh [--help] <records.ndjson>

Starts a PostgreSQL cluster of its own (Debian's postgresql, installed by scripts/setup.sh),
creates `certified (n, digest, at)` with a trigger refusing UPDATE, DELETE and TRUNCATE, loads
the file's lines and inserts each line's SHA-256 (computed by PostgreSQL), checks that an
UPDATE is refused, then verifies every line against its stored digest. Prints one JSON object:
records, certifySeconds, certifyPerSecond, verifySeconds, verifyPerSecond, updateRefused.
USAGE
}
case "${1:-}" in -h | --help) usage; exit 0 ;; "") usage >&2; exit 2 ;; esac
records="$(realpath "$1")"

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed: run scripts/setup.sh" >&2; exit 1; }
dir="$(mktemp -d)"
as_postgres() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	# PostgreSQL refuses to run as root: the cluster belongs to the `postgres` user.
	chown postgres:postgres "$dir"
	as_postgres() { runuser -u postgres -- "$@"; }
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
server=""
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT

as_postgres "$bin/initdb" --auth=trust --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
	-D "$dir/data" >/dev/null
as_postgres "$bin/postgres" -D "$dir/data" -p "$port" -c listen_addresses=127.0.0.1 -k "$dir" \
	>"$dir/postgres.log" 2>&1 &
server=$!
psql() { as_postgres "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
for _ in $(seq 1 120); do psql -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.25; done

psql <<'SQL'
CREATE TABLE staging (n bigserial PRIMARY KEY, line text NOT NULL);
CREATE TABLE certified (
	n bigint PRIMARY KEY,
	digest bytea NOT NULL,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'certified is append-only';
END $$;
CREATE TRIGGER append_only_rows BEFORE UPDATE OR DELETE ON certified
	FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER append_only_table BEFORE TRUNCATE ON certified
	FOR EACH STATEMENT EXECUTE FUNCTION append_only();
SQL

now() { date +%s.%N; }
started=$(now)
# Each line taken whole (no CSV quoting or escapes), as the file holds it.
psql -c "\\copy staging (line) FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" <"$records"
psql -c "INSERT INTO certified (n, digest) SELECT n, sha256(convert_to(line, 'UTF8')) FROM staging"
certified=$(now)
count="$(psql -c 'SELECT count(*) FROM certified')"
refused=false
psql -c "UPDATE certified SET digest = '\\x00' WHERE n = 1" >/dev/null 2>&1 || refused=true
verify_started=$(now)
valid="$(psql -c "SELECT count(*) FROM staging s JOIN certified c USING (n)
	WHERE c.digest = sha256(convert_to(s.line, 'UTF8'))")"
verified=$(now)
python3 - "$count" "$valid" "$started" "$certified" "$verify_started" "$verified" "$refused" <<'PY'
import json, sys
count, valid = int(sys.argv[1]), int(sys.argv[2])
start, certified, vstart, verified = map(float, sys.argv[3:7])
print(json.dumps({
    "records": count, "valid": valid,
    "certifySeconds": round(certified - start, 2), "certifyPerSecond": count / (certified - start),
    "verifySeconds": round(verified - vstart, 2), "verifyPerSecond": valid / (verified - vstart),
    "updateRefused": sys.argv[7] == "true",
}))
PY
