"""A SpanExporter that keeps every span in memory and writes them as one OTLP/JSON file."""

from __future__ import annotations

import os
import sys
import threading
from typing import Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from otlp_json import spans_to_otlp_json

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def scrub_paths(text: str) -> str:
    """Replaces this machine's directories (exception stack traces carry them) by placeholders."""
    for prefix, placeholder in sorted({REPO_ROOT: "<repo>", sys.prefix: "<venv>", sys.base_prefix: "<python>"}.items(),
                                      key=lambda kv: -len(kv[0])):
        if prefix and prefix != "/":
            text = text.replace(prefix + "/", placeholder + "/")
    return text


class RecordingSpanExporter(SpanExporter):
    """Collects spans; shutdown() (or write()) stores them, ordered by start time, in `path`."""

    def __init__(self, path: str):
        self.path = path
        self._spans: list[ReadableSpan] = []
        self._lock = threading.Lock()
        self._written = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with self._lock:
            self._spans.extend(spans)
        return SpanExportResult.SUCCESS

    @property
    def spans(self) -> list[ReadableSpan]:
        with self._lock:
            return list(self._spans)

    def write(self) -> None:
        # Start order makes the file read like the tree in autogen-spans.md §2; the encoder
        # groups by resource and scope, keeping this order inside each scope.
        spans = sorted(self.spans, key=lambda s: (s.start_time or 0))
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(scrub_paths(spans_to_otlp_json(spans)))
            f.write("\n")
        os.replace(tmp, self.path)
        self._written = True

    def shutdown(self) -> None:
        if not self._written:
            self.write()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
