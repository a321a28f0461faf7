"""Running a non-AutoGen framework program (programs/*.py built on program_harness) from a
test: in the framework's own venv (created by run.sh), against the test's fake OpenAI server,
exporting OTLP/HTTP to the test's collector. Bounded in time like the AutoGen runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

E2E_DIR = Path(__file__).resolve().parent
PROGRAM_TIMEOUT = 240

# venv per framework: run.sh creates each from its requirements file.
VENVS = {
    "agent-framework": ".venv-agent-framework",
    "openai-agents": ".venv-openai-agents",
}


def framework_python(framework: str) -> str:
    env_name = "E2E_PYTHON_" + framework.upper().replace("-", "_")
    path = os.environ.get(env_name) or str(E2E_DIR / VENVS[framework] / "bin" / "python")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"no interpreter for {framework} at {path}: run e2e/run.sh (or set {env_name})")
    return path


def run_framework_program(framework: str, program: str, variant: str, otlp_endpoint: str,
                          base_url: str) -> subprocess.CompletedProcess:
    argv = [framework_python(framework), str(E2E_DIR / "programs" / program), "--variant", variant,
            "--otlp-endpoint", otlp_endpoint, "--base-url", base_url]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=PROGRAM_TIMEOUT, cwd=str(E2E_DIR))
    assert done.returncode == 0, f"program failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done
