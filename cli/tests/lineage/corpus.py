"""Builds a corpus of real producers' OpenLineage events from a package that ships them: the
Apache Airflow OpenLineage provider's system tests (apache-airflow-providers-openlineage, its
sdist's tests/system/openlineage/expected_events/*.json, unpacked by scripts/setup.sh). Those
files are the events Airflow emits for each example DAG, with Jinja matchers where a value
varies from run to run (`{{ is_uuid(result) }}`, `{{ is_datetime(result) }}`, ...). Each
matcher is replaced by a value it accepts: a run id by a UUID fixed per DAG file and job (so a
task's START and COMPLETE share it, and a parent facet names its parent's run), a time by
consecutive seconds in the file's order, a URL pattern by a URL it matches. The files hold
the part of each event the tests compare: what every RunEvent carries and a file leaves out (a
run id, a job namespace, a time, the producer and schema URLs) is filled in as Airflow sends
it, and the events a file lists as `$absent` (never emitted) are left out.

Usage: corpus.py <expected_events dir> <out.ndjson>
Prints {"files": n, "events": n} as JSON.
"""

import json
import pathlib
import re
import sys
import uuid
from datetime import datetime, timedelta, timezone

BASE = datetime(2025, 3, 1, 2, 0, tzinfo=timezone.utc)
NAMESPACE = uuid.UUID("5f3a6c1e-2b7d-4e8f-9a0b-1c2d3e4f5a6b")


def example_of(pattern):
    """A string the regular expression `pattern` (as the matchers write them) accepts."""
    text = pattern.strip("^$")
    text = text.replace(r"[\d]+\.[\d]+\.[\d]+.*", "2.20.3")
    text = text.replace(r"[\d-]+", "2-0-2").replace(r"[\d]+", "1")
    text = re.sub(r"\\(.)", r"\1", text)
    return text.replace(".*", "")


def value_for(matcher, key, state):
    inner = matcher.strip()[2:-2].strip()
    if inner.startswith("is_datetime"):
        state["clock"] += 1
        return (BASE + timedelta(seconds=state["clock"])).isoformat()
    if inner.startswith("is_uuid"):
        state["uuids"] += 1
        return str(uuid.uuid5(NAMESPACE, f"{state['file']}:{key}:{state['uuids']}"))
    match = re.match(r'regex_match\(result, "(.*)"\)$', inner)
    if match:
        return example_of(match.group(1))
    if inner == "result is number":
        return 1
    if inner == "result == true":
        return True
    if key == "namespace":
        return "airflow"
    return "value"


def fill(value, key, state):
    if isinstance(value, str) and value.strip().startswith("{{"):
        return value_for(value, key, state)
    if isinstance(value, list):
        return [fill(v, key, state) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if k == "run" and isinstance(v, dict) and isinstance(value.get("job"), dict):
            # A run beside its job (the event itself, a parent or root facet): one id per
            # job of the file, so a task's events and its children's parent facets agree.
            job = value["job"].get("name", "")
            run = dict(v)
            if isinstance(run.get("runId"), str) and "{{" in run["runId"]:
                run["runId"] = str(uuid.uuid5(NAMESPACE, f"{state['file']}:{job}"))
            out[k] = fill(run, k, state)
        else:
            out[k] = fill(v, k, state)
    return out


PRODUCER = "https://github.com/apache/airflow/tree/providers-openlineage/2.20.3"
SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def complete(event, state):
    """`event` with what every RunEvent carries and the expected-events file left out."""
    job = event.setdefault("job", {})
    job.setdefault("namespace", "airflow")
    run = event.setdefault("run", {})
    run.setdefault("runId", str(uuid.uuid5(NAMESPACE, f"{state['file']}:{job.get('name', '')}")))
    if "eventTime" not in event:
        state["clock"] += 1
        event["eventTime"] = (BASE + timedelta(seconds=state["clock"])).isoformat()
    event.setdefault("producer", PRODUCER)
    event.setdefault("schemaURL", SCHEMA)
    return event


def main(directory, out):
    files = sorted(pathlib.Path(directory).glob("*.json"))
    events = 0
    with open(out, "w", encoding="utf-8") as sink:
        for path in files:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            state = {"file": path.stem, "clock": 0, "uuids": 0}
            for event in loaded if isinstance(loaded, list) else [loaded]:
                if "$absent" in event:
                    continue
                event = complete(fill(event, "", state), state)
                sink.write(json.dumps(event, ensure_ascii=False) + "\n")
                events += 1
    print(json.dumps({"files": len(files), "events": events}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
