"""Fixtures of the end-to-end suite: fake OpenAI, LangSmith sink, collector, program runner.

Each test gets its own sink and collector on fresh loopback ports, so tests never see each
other's runs. Every process started here is stopped at the end of the test that started it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

E2E_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(E2E_DIR))

from fake_openai import FakeOpenAI  # noqa: E402
from processes import Process, binary, free_port, http_ok, wait_until  # noqa: E402
from runtree import Sink  # noqa: E402

PROGRAM = E2E_DIR / "programs" / "autogen_team.py"
SINK_API_KEY = "test-key"
PROGRAM_TIMEOUT = 240


@dataclass
class Stack:
    sink: Sink
    otlp_http_endpoint: str  # full traces URL
    sink_proc: Process
    collector_proc: Process


@pytest.fixture
def fake_openai():
    with FakeOpenAI(latency=0.02, max_duration=300) as server:
        yield server


@pytest.fixture
def stack(tmp_path: Path, request: pytest.FixtureRequest):
    """Sink + collector; a test may pick another collector config with indirect parametrization."""
    config = getattr(request, "param", "collector.yaml")
    sink_bin = binary("SINK_BIN", "langsmith-sink")
    collector_bin = binary("OTELCOL_BIN", "otelcol-langsmith")

    addr_file = tmp_path / "sink.addr"
    sink_proc = Process("langsmith-sink", [str(sink_bin), "-addr", "127.0.0.1:0", "-addr-file", str(addr_file),
                                           "-api-key", SINK_API_KEY, "-max-duration", "10m"],
                        tmp_path / "sink.log")
    procs = [sink_proc]
    sink: Sink | None = None
    try:
        def sink_addr() -> str:
            sink_proc.check_alive()
            return addr_file.read_text().strip() if addr_file.exists() else ""

        addr = wait_until(sink_addr, 20, "the sink's -addr-file")
        sink_url = addr if "://" in addr else f"http://{addr}"
        sink = Sink(sink_url)

        http_port, grpc_port, health_port = free_port(), free_port(), free_port()
        env = dict(os.environ, E2E_OTLP_HTTP_PORT=str(http_port), E2E_OTLP_GRPC_PORT=str(grpc_port),
                   E2E_HEALTH_PORT=str(health_port), LANGSMITH_ENDPOINT=sink_url, LANGSMITH_API_KEY=SINK_API_KEY)
        collector_proc = Process("otelcol-langsmith",
                                 [str(collector_bin), "--config", str(E2E_DIR / config)],
                                 tmp_path / "collector.log", env=env)
        procs.append(collector_proc)

        def collector_ready() -> bool:
            collector_proc.check_alive()
            return http_ok(f"http://127.0.0.1:{health_port}/")

        wait_until(collector_ready, 30, "the collector's health_check")
        yield Stack(sink, f"http://127.0.0.1:{http_port}/v1/traces", sink_proc, collector_proc)
    finally:
        # Shown by pytest only when the test failed.
        if sink is not None and sink_proc.alive():
            try:
                print(f"----- sink /_test/tree -----\n{sink.tree()}")
            except OSError as err:
                print(f"(sink tree unavailable: {err})")
        for proc in reversed(procs):
            proc.stop()
        for proc in procs:
            print(f"----- {proc.name} log (tail) -----\n{proc.log_tail()}")


def program_python(version: str | None) -> str:
    """Interpreter for an AutoGen version: this one, or a venv that run.sh/record.sh created."""
    if version is None:
        return sys.executable
    env_name = "E2E_PYTHON_" + version.replace(".", "_")
    venv = {"0.6.4": ".venv-old", "0.5.7": ".venv-0.5", "0.4.9.3": ".venv-0.4"}[version]
    path = os.environ.get(env_name) or str(E2E_DIR / venv / "bin" / "python")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"no interpreter for AutoGen {version} at {path}: run e2e/run.sh (or set {env_name})")
    return path


@pytest.fixture
def run_program(stack: Stack, fake_openai: FakeOpenAI) -> Callable[..., subprocess.CompletedProcess]:
    """Runs programs/autogen_team.py VARIANT against the fake server, exporting OTLP/HTTP to the collector."""

    def run(variant: str, autogen: str | None = None) -> subprocess.CompletedProcess:
        argv = [program_python(autogen), str(PROGRAM), "--variant", variant,
                "--otlp-endpoint", stack.otlp_http_endpoint, "--base-url", fake_openai.base_url]
        env = {k: v for k, v in os.environ.items()
               if k not in ("TRACELOOP_TRACE_CONTENT", "AUTOGEN_DISABLE_RUNTIME_TRACING")}
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PROGRAM_TIMEOUT, env=env,
                              cwd=str(E2E_DIR))
        assert done.returncode == 0, f"program failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        return done

    return run
