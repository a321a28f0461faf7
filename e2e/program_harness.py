"""What every framework program under programs/ shares: its command line, the OpenTelemetry
SDK set up to export OTLP/HTTP or to record one OTLP/JSON file, the fake OpenAI server started
in-process when no --base-url is given, and a bounded run that flushes every span at the end."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any, Awaitable, Callable

RUN_TIMEOUT = 240  # seconds for one program run


def parse_args(doc: str, variants: dict[str, str], service_name: str,
               argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", choices=sorted(variants), default=next(iter(variants)))
    out = p.add_mutually_exclusive_group()
    out.add_argument("--record", metavar="PATH", help="write all spans as one OTLP/JSON file")
    out.add_argument("--otlp-endpoint", metavar="URL",
                     help="OTLP/HTTP traces URL (default: env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)")
    p.add_argument("--base-url", help="OpenAI-compatible base URL; default: start the fake server in-process")
    p.add_argument("--service-name", default=service_name)
    p.add_argument("--list", action="store_true", help="list the variants and exit")
    return p.parse_args(argv)


def run_and_flush(args: argparse.Namespace, tracer_provider, make_run: Callable[[str], Awaitable[None]],
                  timeout: float) -> bool:
    """Runs make_run(base_url) bounded by timeout, against --base-url or the fake server started
    here, then flushes and shuts the tracer provider down; False when the flush timed out."""
    fake = None
    base_url = args.base_url
    if not base_url:
        from fake_openai import FakeOpenAI
        fake = FakeOpenAI(max_duration=300).start()
        base_url = fake.base_url
    try:
        asyncio.run(asyncio.wait_for(make_run(base_url), timeout=timeout))
    finally:
        ok = tracer_provider.force_flush(timeout_millis=15000)
        tracer_provider.shutdown()
        if fake is not None:
            fake.stop()
    if not ok:
        print("force_flush timed out: spans may be missing", file=sys.stderr)
    return ok


def main(doc: str, variants: dict[str, str], service_name: str,
         run: Callable[[argparse.Namespace, str, Any], Awaitable[None]],
         instrument: Callable[[argparse.Namespace, Any], None] | None = None,
         argv: list[str] | None = None) -> int:
    """Runs `run(args, base_url, tracer_provider)` once; `instrument(args, provider)` first."""
    args = parse_args(doc, variants, service_name, argv)
    if args.list:
        for name, what in variants.items():
            print(f"{name:22} {what}")
        return 0

    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    recorder = None
    if args.record:
        from recorder import RecordingSpanExporter
        recorder = exporter = RecordingSpanExporter(args.record)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        endpoint = args.otlp_endpoint or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        if not endpoint:
            print("need --record, --otlp-endpoint or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", file=sys.stderr)
            return 2
        exporter = OTLPSpanExporter(endpoint=endpoint, timeout=10)

    tracer_provider = TracerProvider(resource=Resource({"service.name": args.service_name}))
    tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(tracer_provider)
    if instrument is not None:
        instrument(args, tracer_provider)

    if not run_and_flush(args, tracer_provider,
                         lambda base_url: run(args, base_url, tracer_provider), RUN_TIMEOUT):
        return 1
    if recorder is not None:
        print(f"recorded {len(recorder.spans)} spans to {args.record}", file=sys.stderr)
    return 0
