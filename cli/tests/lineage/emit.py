"""Sends a hospital's lineage to `medtrust lineage serve` with the real OpenLineage Python
client (HTTP transport), as an integration would: a LIS extract de-identified (START, then
COMPLETE with column lineage, the patient id masked), then aggregated into a public-health
report. The LIS extract carries the certificate it was anchored under (MedTrust's `medtrust`
input facet); one output carries a facet MedTrust does not know, which must be kept.

Usage: emit.py <gateway url> <certificate id> <token file>
Prints the two run ids as JSON.
"""

import json
import sys
from datetime import datetime, timedelta, timezone

import attr
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import column_lineage_dataset as cl
from openlineage.client.facet_v2 import BaseFacet
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport
from openlineage.client.uuid import generate_new_uuid

LIS = "postgres://lis.hospital-a.example:5432"
RESEARCH = "postgres://research.hospital-a.example:5432"


@attr.define
class MedTrustFacet(BaseFacet):
    certificate: int = 0


@attr.define
class WardFacet(BaseFacet):
    ward: str = ""


def column(field, subtype, masking=False, kind="DIRECT", name="lis.public.lab_result", ns=LIS):
    return cl.InputField(namespace=ns, name=name, field=field,
                         transformations=[cl.Transformation(type=kind, subtype=subtype, masking=masking)])


def main(url, certificate, token_file):
    with open(token_file, encoding="utf-8") as f:
        auth = ApiKeyTokenProvider({"apiKey": f.read().strip()})
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=url, timeout=30.0, auth=auth)))
    start = datetime(2024, 1, 5, 11, 0, tzinfo=timezone.utc)
    lis = InputDataset(namespace=LIS, name="lis.public.lab_result",
                       facets={"medtrust": MedTrustFacet(certificate=certificate)})
    deid_out = OutputDataset(namespace=RESEARCH, name="research.lab_deid", facets={
        "columnLineage": cl.ColumnLineageDatasetFacet(fields={
            "pseudonym": cl.Fields(inputFields=[column("patient_id", "TRANSFORMATION", masking=True)]),
            "test_code": cl.Fields(inputFields=[column("test_code", "IDENTITY")]),
            "value": cl.Fields(inputFields=[column("value", "IDENTITY")]),
        }),
        "hospitalWard": WardFacet(ward="检验科"),
    })
    job = Job(namespace="airflow", name="lis_deidentify")
    deid = Run(runId=str(generate_new_uuid()))
    client.emit(RunEvent(eventType=RunState.START, eventTime=start.isoformat(), run=deid, job=job,
                         inputs=[lis], outputs=[]))
    client.emit(RunEvent(eventType=RunState.COMPLETE, eventTime=(start + timedelta(seconds=42)).isoformat(),
                         run=deid, job=job, inputs=[lis], outputs=[deid_out]))
    deid_in = InputDataset(namespace=RESEARCH, name="research.lab_deid")
    report_out = OutputDataset(namespace=RESEARCH, name="public_health.glucose_report", facets={
        "columnLineage": cl.ColumnLineageDatasetFacet(fields={
            "test_code": cl.Fields(inputFields=[
                column("test_code", "GROUP_BY", kind="INDIRECT", name="research.lab_deid", ns=RESEARCH)]),
            "mean_value": cl.Fields(inputFields=[
                column("value", "AGGREGATION", name="research.lab_deid", ns=RESEARCH)]),
        }),
    })
    report = Run(runId=str(generate_new_uuid()))
    client.emit(RunEvent(eventType=RunState.COMPLETE, eventTime=(start + timedelta(minutes=5)).isoformat(),
                         run=report, job=Job(namespace="airflow", name="glucose_report"),
                         inputs=[deid_in], outputs=[report_out]))
    print(json.dumps({"deidentify": deid.runId, "report": report.runId}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
