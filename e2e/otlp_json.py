"""Encode finished SDK spans as OTLP/JSON that Go's ptrace.JSONUnmarshaler reads.

Protobuf's generic JSON mapping writes bytes fields as base64, but the OTLP/JSON spec (and
pdata) wants trace and span ids as lowercase hex, so the id fields are rewritten after encoding.
Enums stay integers, 64-bit integers stay strings (both accepted by pdata).
"""

from __future__ import annotations

import base64
import json
from typing import Any, Sequence

from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan

_ID_FIELDS = ("traceId", "spanId", "parentSpanId")


def _b64_to_hex(value: str) -> str:
    return base64.b64decode(value).hex()


def _fix_ids(obj: dict[str, Any]) -> None:
    for key in _ID_FIELDS:
        if obj.get(key):
            obj[key] = _b64_to_hex(obj[key])


def spans_to_otlp_dict(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """Returns {"resourceSpans": [...]} with hex ids."""
    request = encode_spans(spans)
    doc = MessageToDict(request, preserving_proto_field_name=False, use_integers_for_enums=True)
    doc.setdefault("resourceSpans", [])
    for rs in doc["resourceSpans"]:
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                _fix_ids(span)
                for link in span.get("links", []):
                    _fix_ids(link)
    return doc


def spans_to_otlp_json(spans: Sequence[ReadableSpan]) -> str:
    return json.dumps(spans_to_otlp_dict(spans), separators=(",", ":"), ensure_ascii=False)
