"""What a LangSmith reader sees on team and turn runs (issue #10): team results and stop reasons,
turn inputs, nested teams, two runs of one team in one root, OpenInference instrumentation.

The programs are programs/autogen_team.py (reference) and programs/autogen_cases.py."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from conftest import E2E_DIR, PROGRAM_TIMEOUT
from fake_openai import PLAN_TEXT, PUBLISHER_TEXT, REVIEWER_TEXT, SUMMARY_TEXT, WRITER_TEXT
from runtree import Run, build_forest, message_list
from team_assertions import (SELECT, assert_llm_run, assert_no_plumbing, assert_sink_clean, assert_team_tree,
                             assert_usage_matches_server, describe, single_root, text_of)

CASES = E2E_DIR / "programs" / "autogen_cases.py"
TEXT_STOP = "Text 'TERMINATE' mentioned"
MAX_STOP = "Maximum number of messages 3 reached, current message count: 3"
POEM_TASK = "Write a two-line poem about the harbour at night, get it reviewed, then publish it."


@pytest.fixture
def run_case(stack, fake_openai):
    """Runs programs/autogen_cases.py VARIANT against the fake server into the collector."""

    def run(variant: str) -> None:
        argv = [sys.executable, str(CASES), "--variant", variant,
                "--otlp-endpoint", stack.otlp_http_endpoint, "--base-url", fake_openai.base_url]
        env = {k: v for k, v in os.environ.items()
               if k not in ("TRACELOOP_TRACE_CONTENT", "AUTOGEN_DISABLE_RUNTIME_TRACING")}
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PROGRAM_TIMEOUT, env=env,
                              cwd=str(E2E_DIR))
        assert done.returncode == 0, f"program failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"

    return run


def messages(value: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in message_list(value) if isinstance(m, dict)]


def content(message: dict[str, Any]) -> str:
    c = message.get("content")
    return c if isinstance(c, str) else text_of(c)


def assert_team_result(team: Run, final_agent: str, final_text: str, stop: str, condition: str,
                       messages_count: int, turns: int) -> None:
    """Outputs: the final message with its agent and the stop reason; metadata: counts and condition."""
    out = messages(team.outputs)
    assert len(out) == 1, f"{team.name} outputs {text_of(team.outputs)[:600]}"
    assert out[0].get("name") == final_agent, out[0]
    assert final_text in content(out[0]), out[0]
    assert out[0].get("finish_reason") == stop, f"stop reason in outputs: {out[0]}"
    meta = team.metadata
    assert meta.get("autogen.termination.reason") == stop, meta
    assert meta.get("autogen.termination.condition") == condition, meta
    assert meta.get("autogen.team.message_count") == messages_count, meta
    assert meta.get("autogen.team.turn_count") == turns, meta


def turn_inputs(turn: Run) -> list[tuple[str, str]]:
    """(author, text) of each message a turn was shown; the task's author is ""."""
    msgs = messages(turn.inputs)
    assert msgs, f"{turn.name} has no inputs: {text_of(turn.inputs)[:300]}"
    for m in msgs:
        assert m.get("role") != "system", f"{turn.name} repeats the system prompt"
    return [(m.get("name") or "", content(m)) for m in msgs]


def test_reference_team_result_and_turn_inputs(stack, run_program, fake_openai):
    run_program("reference")
    runs = stack.sink.wait_quiet(min_runs=12)
    team = assert_team_tree(runs)
    assert_team_result(team, "PlanningAgent", SUMMARY_TEXT, TEXT_STOP, "TextMentionTermination", 4, 3)
    turns = [c for c in team.children if c.name != SELECT]
    first, second, third = (turn_inputs(t) for t in turns)
    assert len(first) == 1 and "Miami Heat" in first[0][1], first
    assert [a for a, _ in second] == ["", "PlanningAgent"] and second[1][1] == PLAN_TEXT, second
    assert len(third) == 1 and third[0][0] == "DataAnalystAgent" and "85.98" in third[0][1], third
    assert_sink_clean(stack.sink)


def test_nested_team_reads_as_a_turn_of_the_outer_team(stack, run_case, fake_openai):
    run_case("nested-team")
    runs = stack.sink.wait_quiet(min_runs=9)
    assert_no_plumbing(runs)
    root = single_root(runs)
    assert [c.name for c in root.children] == ["RoundRobinGroupChat"], describe(runs, stack.sink)
    outer = root.children[0]
    assert [c.name for c in outer.children] == ["WritingTeam", "Publisher"], describe(runs)
    writing, publisher = outer.children
    assert writing.run_type == "chain"
    assert [c.name for c in writing.children] == ["RoundRobinGroupChat"], describe(runs)
    inner = writing.children[0]
    assert [c.name for c in inner.children] == ["Writer", "Reviewer"], describe(runs)
    for turn in (*inner.children, publisher):
        llms = [c for c in turn.children if c.run_type == "llm"]
        assert len(llms) == 1, turn.render()
        assert_llm_run(llms[0])
        assert turn.name in text_of(llms[0].metadata)

    assert_team_result(inner, "Reviewer", REVIEWER_TEXT, MAX_STOP, "MaxMessageTermination", 3, 2)
    assert_team_result(outer, "Publisher", PUBLISHER_TEXT, TEXT_STOP, "TextMentionTermination", 4, 2)
    assert turn_inputs(writing) == [("", POEM_TASK)]
    assert [(m.get("name"), content(m)) for m in messages(writing.outputs)] == \
        [("Writer", WRITER_TEXT), ("Reviewer", REVIEWER_TEXT)], writing.outputs
    assert turn_inputs(publisher) == [("", POEM_TASK), ("Writer", WRITER_TEXT), ("Reviewer", REVIEWER_TEXT)]
    assert turn_inputs(inner.children[1]) == [("", POEM_TASK), ("Writer", WRITER_TEXT)]
    llm_runs = [r for r in root.walk() if r.run_type == "llm"]
    assert len(llm_runs) == len(fake_openai.requests) == 3
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    assert_sink_clean(stack.sink)


def test_two_runs_in_one_root_are_two_team_runs(stack, run_case, fake_openai):
    run_case("two-runs-one-root")
    runs = stack.sink.wait_quiet(min_runs=20)
    assert_no_plumbing(runs)
    root = single_root(runs)
    teams = root.children
    assert [t.name for t in teams] == ["SelectorGroupChat", "SelectorGroupChat"], describe(runs, stack.sink)
    first, second = teams
    assert first.data["end_time"] <= second.data["start_time"], "one after the other"
    steps = lambda team: [c.name for c in team.children]  # noqa: E731
    assert steps(first) == [SELECT, "PlanningAgent", SELECT, "DataAnalystAgent", SELECT, "PlanningAgent"]
    assert steps(second) == [SELECT, "DataAnalystAgent", SELECT, "PlanningAgent"], "history kept"
    assert "Miami Heat" in text_of(first.inputs)
    assert "Repeat the percentage change" in text_of(second.inputs) and "Miami Heat" not in text_of(second.inputs)
    assert_team_result(first, "PlanningAgent", SUMMARY_TEXT, TEXT_STOP, "TextMentionTermination", 4, 3)
    assert_team_result(second, "PlanningAgent", SUMMARY_TEXT, TEXT_STOP, "TextMentionTermination", 3, 2)
    assert [a for a, _ in turn_inputs(second.children[1])] == [""], "the second run's first turn: its task"
    llm_runs = [r for r in root.walk() if r.run_type == "llm"]
    assert len(llm_runs) == len(fake_openai.requests)
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    assert_sink_clean(stack.sink)


def test_openinference_instrumentation_gives_the_same_tree(stack, run_case, fake_openai):
    run_case("openinference")
    runs = stack.sink.wait_quiet(min_runs=12)
    team = assert_team_tree(runs)
    root = build_forest(runs)[0]
    llm_runs = [r for r in root.walk() if r.run_type == "llm"]
    assert len(llm_runs) == len(fake_openai.requests) == 6, "one run per model call, no duplicates"
    assert {r.name for r in llm_runs} == {"gpt-4o", SELECT}, sorted({r.name for r in llm_runs})
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    names = {r.name for r in root.walk()}
    assert not [n for n in names if n.endswith((".run_stream", ".on_messages_stream", ".create"))
                or n == "ChatCompletion"], sorted(names)
    for run in root.walk():
        assert "openinference.span.kind" not in run.metadata, f"{run.name} still speaks OpenInference"
    assert_team_result(team, "PlanningAgent", SUMMARY_TEXT, TEXT_STOP, "TextMentionTermination", 4, 3)
    assert "autogen.termination.inferred" not in team.metadata, "the TaskResult carried the stop reason"
    assert_sink_clean(stack.sink)
