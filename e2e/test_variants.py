"""Variants of the reference program: each changes one thing and asserts what that changes."""

import pytest

from fake_openai import PLAN_TEXT, SELECTOR_MARKER
from runtree import build_forest
from team_assertions import (SELECT, assert_llm_run, assert_no_plumbing, assert_sink_clean, assert_team_tree,
                             assert_tool_run, assert_usage_matches_server, describe, single_root, text_of)


@pytest.mark.parametrize("variant", ["runtime-tracing-off", "runtime-outside-root"])
def test_runtime_tracing_mode_does_not_change_the_tree(stack, run_program, fake_openai, variant):
    # Tracing off: no runtime spans at all, the team is inferred from the GenAI spans.
    # Outside root: 17 traces joined only by links, stitched back into one.
    run_program(variant)
    runs = stack.sink.wait_quiet(min_runs=12)
    # Without runtime spans no span carries the tool's result (see assert_tool_run).
    assert_team_tree(runs, tool_result=variant != "runtime-tracing-off")
    llm_runs = [r for r in build_forest(runs)[0].walk() if r.run_type == "llm"]
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    assert_sink_clean(stack.sink)


def test_content_capture_off_keeps_structure_and_usage_only(stack, run_program, fake_openai):
    run_program("content-off")
    runs = stack.sink.wait_quiet(min_runs=12)
    assert_team_tree(runs, content=False)
    llm_runs = [r for r in build_forest(runs)[0].walk() if r.run_type == "llm"]
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    for run in llm_runs:
        body = text_of(run.inputs) + text_of(run.outputs)
        assert SELECTOR_MARKER not in body and PLAN_TEXT[:20] not in body, f"{run.name} carries prompt text"
    assert_sink_clean(stack.sink)


def test_streaming_model_client(stack, run_program, fake_openai):
    run_program("streaming")
    runs = stack.sink.wait_quiet(min_runs=12)
    assert_team_tree(runs)
    assert all(r.get("stream") for r in fake_openai.requests), "the program really streamed"
    llm_runs = [r for r in build_forest(runs)[0].walk() if r.run_type == "llm"]
    assert_usage_matches_server(llm_runs, fake_openai.requests, reasoning=False)
    assert_sink_clean(stack.sink)


def test_round_robin_has_no_speaker_selection(stack, run_program, fake_openai):
    run_program("round-robin")
    runs = stack.sink.wait_quiet(min_runs=9)
    assert_team_tree(runs, team_name="RoundRobinGroupChat", selector=False)
    assert not [r for r in runs if r["name"] == SELECT]
    llm_runs = [r for r in build_forest(runs)[0].walk() if r.run_type == "llm"]
    assert len(llm_runs) == len(fake_openai.requests) == 3
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    assert_sink_clean(stack.sink)


def test_failing_tool_is_an_error_run(stack, run_program):
    run_program("tool-error")
    runs = stack.sink.wait_quiet(min_runs=12)
    assert_team_tree(runs, tool_error=True)
    errors = [r["name"] for r in runs if r.get("error")]
    assert errors == ["percentage_change"], f"only the tool failed, got errors on {errors}"
    assert_sink_clean(stack.sink)


def test_agent_alone_is_a_single_turn(stack, run_program, fake_openai):
    run_program("agent-alone")
    runs = stack.sink.wait_quiet(min_runs=4)
    assert_no_plumbing(runs)
    root = single_root(runs, name="run_agent")
    turns = [c for c in root.children if c.name == "DataAnalystAgent"]
    assert len(turns) == 1, describe(runs, stack.sink)
    turn = turns[0]
    assert turn.run_type == "chain"
    assert not [r for r in root.walk() if r.name == SELECT or r.name.endswith("GroupChat")], "no team, no selector"
    assert [c.run_type for c in turn.children if c.run_type in ("llm", "tool")] == ["llm", "tool", "llm"], \
        f"tool call, tool, reflection\n{turn.render()}"
    for llm in (c for c in turn.children if c.run_type == "llm"):
        assert_llm_run(llm)
    assert_tool_run(turn)
    llm_runs = [r for r in root.walk() if r.run_type == "llm"]
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    assert_sink_clean(stack.sink)


def test_two_runs_of_one_team_stay_two_traces(stack, run_program):
    run_program("two-runs")
    runs = stack.sink.wait_quiet(min_runs=20)
    assert_no_plumbing(runs)
    by_trace = {}
    for run in runs:
        by_trace.setdefault(run["trace_id"], []).append(run)
    team_traces = [rs for rs in by_trace.values() if any(r["name"] == "run_team" and not r.get("parent_run_id")
                                                         for r in rs)]
    assert len(team_traces) == 2, f"one trace per run_team root, got {len(team_traces)}\n{describe(runs)}"
    team_traces.sort(key=lambda rs: min(r["dotted_order"] for r in rs))
    # The same team object keeps its history: the second task goes to the analyst first.
    assert_team_tree(team_traces[0])
    assert_team_tree(team_traces[1], turns=["DataAnalystAgent", "PlanningAgent"])
    assert_sink_clean(stack.sink)
