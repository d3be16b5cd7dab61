"""The cases real OpenLineage streams hold, made with the real OpenLineage Python client
(`openlineage-python`): runs that write nothing (a sensor that only reads, a read-only check
that names nothing, a run that fails), a run whose outputs come only with its COMPLETE event,
a run delivered twice (at-least-once transports), a warehouse report reading 600 districts'
extracts, one reading 1,000 with 1,000 output columns each from its input fields (recorded in
parts), one reading 20,000 (beyond the chain's bound), and a run reading a certificate that
does not exist between two good runs.

Usage: cases.py file <out.ndjson> <certificate id>
           writes every case's events as NDJSON, serialised by the client (Serde.to_json);
       cases.py http <gateway url> <certificate id> <token file>
           sends each case's events to `medtrust lineage serve` over the client's HTTP
           transport, one request an event.
Both print, as JSON, each case's run ids, and for http each event's HTTP status.
The wide runs read certificate <certificate id> too (MedTrust's run facet `medtrust`).
"""

import json
import sys
from datetime import datetime, timedelta, timezone

import attr
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import BaseFacet
from openlineage.client.facet_v2 import column_lineage_dataset as cl
from openlineage.client.serde import Serde
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport
from openlineage.client.uuid import generate_new_uuid

WAREHOUSE = "postgres://warehouse.health-commission.example:5432"
PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python"
START = datetime(2025, 6, 1, 1, 0, tzinfo=timezone.utc)


@attr.define
class MedTrustRunFacet(BaseFacet):
    certificates: list = attr.field(factory=list)


@attr.define
class MedTrustDatasetFacet(BaseFacet):
    certificate: int = 0


def district(i):
    return InputDataset(namespace=WAREHOUSE, name=f"districts.extract_{i:05d}")


def event(state, run, job, minute, inputs=(), outputs=(), run_facets=None):
    if run_facets:
        run = Run(runId=run.runId, facets=run_facets)
    return RunEvent(eventType=state, eventTime=(START + timedelta(minutes=minute)).isoformat(),
                    run=run, job=Job(namespace="dbt", name=job), inputs=list(inputs),
                    outputs=list(outputs), producer=PRODUCER)


def wide(name, count, columns, certificate):
    """A report over `count` districts' extracts, with `columns` output columns each summed
    from one district's `cases`, `deaths` and `tests`."""
    inputs = [district(i) for i in range(count)]
    fields = {
        f"district_{c:05d}": cl.Fields(inputFields=[
            cl.InputField(namespace=WAREHOUSE, name=f"districts.extract_{c % count:05d}", field=field,
                          transformations=[cl.Transformation(type="DIRECT", subtype="AGGREGATION")])
            for field in ("cases", "deaths", "tests")])
        for c in range(columns)
    }
    output = OutputDataset(namespace=WAREHOUSE, name=f"reports.{name}",
                           facets={"columnLineage": cl.ColumnLineageDatasetFacet(fields=fields)})
    run = Run(runId=str(generate_new_uuid()))
    facets = {"medtrust": MedTrustRunFacet(certificates=[certificate])}
    return run, [event(RunState.START, run, name, 10, inputs=inputs, run_facets=facets),
                 event(RunState.COMPLETE, run, name, 40, inputs=inputs, outputs=[output],
                       run_facets=facets)]


def cases(certificate):
    """Each case's name, run ids and events, in the order they are sent."""
    out = []
    sensor = Run(runId=str(generate_new_uuid()))
    lis = InputDataset(namespace=WAREHOUSE, name="lis.lab_result")
    out.append(("no_outputs_sensor", [sensor.runId], [
        event(RunState.START, sensor, "wait_for_lis", 0, inputs=[lis]),
        event(RunState.COMPLETE, sensor, "wait_for_lis", 1, inputs=[lis])]))
    check = Run(runId=str(generate_new_uuid()))
    out.append(("no_outputs_check", [check.runId], [
        event(RunState.COMPLETE, check, "freshness_check", 2)]))
    failed = Run(runId=str(generate_new_uuid()))
    out.append(("no_outputs_failed", [failed.runId], [
        event(RunState.START, failed, "nightly_load", 3, inputs=[lis]),
        event(RunState.FAIL, failed, "nightly_load", 4)]))
    late = Run(runId=str(generate_new_uuid()))
    daily = OutputDataset(namespace=WAREHOUSE, name="marts.daily_lab")
    out.append(("outputs_on_complete", [late.runId], [
        event(RunState.START, late, "daily_lab", 5, inputs=[lis]),
        event(RunState.COMPLETE, late, "daily_lab", 6, inputs=[lis], outputs=[daily])]))
    again = Run(runId=str(generate_new_uuid()))
    weekly = OutputDataset(namespace=WAREHOUSE, name="marts.weekly_lab")
    twice = [event(RunState.START, again, "weekly_lab", 7, inputs=[lis]),
             event(RunState.COMPLETE, again, "weekly_lab", 8, inputs=[lis], outputs=[weekly])]
    out.append(("repeated_delivery", [again.runId], twice + twice))
    for name, count, columns in (("districts_600", 600, 600), ("districts_1000", 1000, 1000),
                                 ("districts_20000", 20000, 10)):
        run, events = wide(name, count, columns, certificate)
        out.append((name, [run.runId], events))
    first, bad, last = (Run(runId=str(generate_new_uuid())) for _ in range(3))
    anchored = InputDataset(namespace=WAREHOUSE, name="lis.lab_result",
                            facets={"medtrust": MedTrustDatasetFacet(certificate=999999)})
    out.append(("refused_in_the_middle", [first.runId, bad.runId, last.runId], [
        event(RunState.COMPLETE, first, "batch_a", 50, inputs=[lis],
              outputs=[OutputDataset(namespace=WAREHOUSE, name="marts.batch_a")]),
        event(RunState.COMPLETE, bad, "batch_b", 51, inputs=[anchored],
              outputs=[OutputDataset(namespace=WAREHOUSE, name="marts.batch_b")]),
        event(RunState.COMPLETE, last, "batch_c", 52, inputs=[lis],
              outputs=[OutputDataset(namespace=WAREHOUSE, name="marts.batch_c")])]))
    return out


def main(mode, target, certificate, token_file=None):
    made = cases(certificate)
    report = {name: {"runIds": ids} for name, ids, _ in made}
    if mode == "file":
        with open(target, "w", encoding="utf-8") as sink:
            for _, _, events in made:
                for e in events:
                    sink.write(Serde.to_json(e) + "\n")
    else:
        # No retries: each status is the gateway's first answer.
        with open(token_file, encoding="utf-8") as f:
            token = f.read().strip()
        transport = HttpTransport(HttpConfig(url=target, timeout=60.0,
                                             auth=ApiKeyTokenProvider({"apiKey": token}),
                                             retry={"total": 0, "status_forcelist": []}))
        for name, _, events in made:
            statuses = []
            for e in events:
                try:
                    statuses.append(transport.emit(e).status_code)
                except Exception as error:  # requests' HTTPError carries the answer
                    response = getattr(error, "response", None)
                    statuses.append(response.status_code if response is not None else str(error))
            report[name]["statuses"] = statuses
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:5])
