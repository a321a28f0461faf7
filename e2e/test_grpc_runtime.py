"""AutoGen's distributed runtime (issue #10): a gRPC host and agents in separate worker processes,
each exporting under its own service.name, stitched by the collector into one team > turn > LLM /
tool tree. The program is programs/autogen_grpc.py."""

import os
import subprocess
import sys

from conftest import E2E_DIR, PROGRAM_TIMEOUT
from fake_openai import PLAN_TEXT, SUMMARY_TEXT
from runtree import message_list
from team_assertions import (SELECT, assert_sink_clean, assert_team_tree, assert_usage_matches_server, describe,
                             text_of)
from test_team_results import assert_team_result, turn_inputs

GRPC = E2E_DIR / "programs" / "autogen_grpc.py"
TEXT_STOP = "Text 'TERMINATE' mentioned"


def test_grpc_runtime_across_three_services_reads_as_one_team_run(stack, fake_openai):
    argv = [sys.executable, str(GRPC), "--otlp-endpoint", stack.otlp_http_endpoint, "--base-url", fake_openai.base_url]
    env = {k: v for k, v in os.environ.items() if k not in ("TRACELOOP_TRACE_CONTENT", "AUTOGEN_DISABLE_RUNTIME_TRACING")}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=PROGRAM_TIMEOUT, env=env, cwd=str(E2E_DIR))
    assert done.returncode == 0, f"program failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"

    runs = stack.sink.wait_quiet(min_runs=12)
    # One trace, one root, no plumbing: the replies' and agents' construction traces fold away.
    team = assert_team_tree(runs, team_name="GroupChatManager", tool_result=False)
    assert team.metadata.get("autogen.team.manager") == "GroupChatManager", team.metadata
    services = {r.name: r.metadata.get("service.name") for r in team.walk() if r.run_type in ("llm", "tool")}
    assert services.get(SELECT) == "autogen-grpc-manager", describe(runs, stack.sink)
    for turn in (c for c in team.children if c.name != SELECT):
        for run in turn.children:
            want = {"PlanningAgent": "autogen-grpc-planning", "DataAnalystAgent": "autogen-grpc-analyst"}[turn.name]
            assert run.metadata.get("service.name") == want, f"{run.name} under {turn.name}: {run.metadata}"

    assert_team_result(team, "PlanningAgent", SUMMARY_TEXT, TEXT_STOP, "TextMentionTermination", 4, 3)
    assert team.metadata.get("autogen.termination.inferred") is True, "no worker runtime span carries it"
    assert "Miami Heat" in text_of(message_list(team.inputs)), team.inputs
    first, second, third = (turn_inputs(t) for t in team.children if t.name != SELECT)
    assert len(first) == 1 and first[0][0] == "" and "Miami Heat" in first[0][1], first
    assert [a for a, _ in second] == ["", "PlanningAgent"] and second[1][1] == PLAN_TEXT, second
    assert len(third) == 1 and "85.98" in third[0][1], third

    llm_runs = [r for r in team.walk() if r.run_type == "llm"]
    assert len(llm_runs) == len(fake_openai.requests) == 6, "3 selections and 3 agent calls, nothing lost"
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    assert_sink_clean(stack.sink)
