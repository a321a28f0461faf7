"""The recorder's OTLP/JSON: hex ids, parents and links intact, paths scrubbed (no collector needed)."""

import json
import subprocess
import sys
from collections import Counter

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Link

from conftest import E2E_DIR, PROGRAM
from recorder import RecordingSpanExporter, scrub_paths


def spans_of(doc):
    return [s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]


def test_ids_are_lowercase_hex_and_relations_survive(tmp_path):
    out = tmp_path / "t.json"
    rec = RecordingSpanExporter(str(out))
    provider = TracerProvider(resource=Resource({"service.name": "t"}))
    provider.add_span_processor(SimpleSpanProcessor(rec))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("root") as root:
        with tracer.start_as_current_span("child", links=[Link(root.get_span_context())]) as child:
            child.set_attribute("n", 2**40)
    provider.shutdown()

    doc = json.loads(out.read_text())
    by_name = {s["name"]: s for s in spans_of(doc)}
    rc, cc = root.get_span_context(), child.get_span_context()
    assert by_name["root"]["traceId"] == format(rc.trace_id, "032x")
    assert by_name["root"]["spanId"] == format(rc.span_id, "016x")
    assert "parentSpanId" not in by_name["root"]
    assert by_name["child"]["parentSpanId"] == format(rc.span_id, "016x")
    assert by_name["child"]["spanId"] == format(cc.span_id, "016x")
    link = by_name["child"]["links"][0]
    assert (link["traceId"], link["spanId"]) == (format(rc.trace_id, "032x"), format(rc.span_id, "016x"))
    assert by_name["child"]["kind"] == 1, "enums are integers"
    assert by_name["child"]["attributes"][0]["value"] == {"intValue": str(2**40)}


def test_scrub_paths_replaces_this_machines_directories():
    text = f'File "{sys.prefix}/lib/x.py" and "{E2E_DIR}/y.py"'
    scrubbed = scrub_paths(text)
    assert str(E2E_DIR) not in scrubbed and sys.prefix + "/" not in scrubbed
    assert "<venv>/lib/x.py" in scrubbed


def test_reference_program_records_the_documented_61_spans(tmp_path):
    out = tmp_path / "ref.json"
    done = subprocess.run([sys.executable, str(PROGRAM), "--variant", "reference", "--record", str(out)],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    spans = spans_of(json.loads(out.read_text()))
    assert len(spans) == 61
    assert len({s["traceId"] for s in spans}) == 1
    names = Counter(s["name"].split(" ")[0] for s in spans)
    assert names["invoke_agent"] == 3 and names["openai.chat"] == 6 and names["execute_tool"] == 1
    assert names["run_team"] == 1 and names["autogen"] == 48
