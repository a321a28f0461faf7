"""The run tree LangSmith should show for the reference program (design.md §5), as assertions.

    run_team
      SelectorGroupChat              chain
        select speaker               llm   -> "PlanningAgent"
        PlanningAgent                chain
          gpt-4o                     llm
        select speaker               llm   -> "DataAnalystAgent"
        DataAnalystAgent             chain
          gpt-4o                     llm   (asks for the tool)
          percentage_change          tool  {"start":214,"end":398} -> 85.98...
        select speaker               llm   -> "PlanningAgent"
        PlanningAgent                chain
          gpt-4o                     llm
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from fake_openai import TOOL_ARGUMENTS, script_reply, usage_for
from runtree import Run, Sink, build_forest, message_list, render_forest

SELECT = "select speaker"
REFERENCE_TURNS = ["PlanningAgent", "DataAnalystAgent", "PlanningAgent"]


def describe(runs: list[dict[str, Any]], sink: Sink | None = None) -> str:
    """Context for assertion messages: our rendering and the sink's own tree."""
    text = "runs received:\n" + render_forest(build_forest(runs))
    if sink is not None:
        try:
            text += "\n\nsink tree:\n" + sink.tree()
        except OSError as err:
            text += f"\n\n(sink tree unavailable: {err})"
    return text


def assert_sink_clean(sink: Sink) -> None:
    violations, check = sink.violations(), sink.check()
    assert violations == [], f"LangSmith rule violations: {json.dumps(violations, indent=1)[:4000]}"
    assert check == [], f"consistency check failed: {json.dumps(check, indent=1)[:4000]}"


def assert_no_plumbing(runs: list[dict[str, Any]]) -> None:
    plumbing = [r["name"] for r in runs if (r.get("name") or "").startswith("autogen ")]
    assert plumbing == [], f"runtime plumbing reached LangSmith: {plumbing[:5]}"


def single_root(runs: list[dict[str, Any]], name: str = "run_team") -> Run:
    trace_ids = {r.get("trace_id") for r in runs}
    roots = build_forest(runs)
    assert len(trace_ids) == 1, f"expected one trace, got {len(trace_ids)}\n{describe(runs)}"
    assert len(roots) == 1, f"expected one root run, got {[r.name for r in roots]}\n{describe(runs)}"
    assert roots[0].name == name, describe(runs)
    assert roots[0].id == roots[0].data.get("trace_id"), "trace_id must be the root run's id"
    return roots[0]


def team_run(root: Run, team_name: str) -> Run:
    teams = [c for c in root.children if c.name == team_name]
    assert len(teams) == 1, f"expected one {team_name} run under {root.name}\n{root.render()}"
    team = teams[0]
    assert team.run_type == "chain", team.run_type
    return team


def steps(team: Run, agents: set[str]) -> list[Run]:
    return [c for c in team.children if c.name == SELECT or c.name in agents]


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def usage_of(run: Run) -> dict[str, Any]:
    usage = run.outputs.get("usage_metadata")
    meta_usage = run.metadata.get("usage_metadata")
    assert isinstance(usage, dict), f"{run.name}: no outputs.usage_metadata in {text_of(run.outputs)[:500]}"
    assert usage == meta_usage, f"{run.name}: outputs and extra.metadata usage differ: {usage} vs {meta_usage}"
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        assert isinstance(usage.get(key), int) and not isinstance(usage.get(key), bool), \
            f"{run.name}: usage_metadata.{key} is not an int: {usage}"
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"], usage
    return usage


def assert_llm_run(run: Run, content: bool = True) -> None:
    assert run.run_type == "llm", f"{run.name} is {run.run_type}"
    assert run.metadata.get("ls_model_name"), f"{run.name}: no ls_model_name in {run.metadata}"
    usage_of(run)
    in_msgs, out_msgs = message_list(run.inputs), message_list(run.outputs)
    if content:
        assert in_msgs, f"{run.name}: no input messages in {text_of(run.inputs)[:500]}"
        assert out_msgs, f"{run.name}: no output messages in {text_of(run.outputs)[:500]}"
    else:
        assert not in_msgs and not out_msgs, f"{run.name}: content capture was off but messages arrived"


def assert_usage_matches_server(llm_runs: list[Run], requests: list[dict[str, Any]], reasoning: bool = True) -> None:
    """Token counts in LangSmith are exactly those the fake server sent, call for call.

    reasoning=False for instrumentors that do not record reasoning tokens (openllmetry < 0.46,
    and streaming, where usage chunks are accumulated without completion details)."""
    expected = []
    for req in requests:
        usage = usage_for(req["messages"], script_reply(req["messages"]))
        expected.append((usage["prompt_tokens"], usage["completion_tokens"]))
    got = [(usage_of(r)["input_tokens"], usage_of(r)["output_tokens"]) for r in llm_runs]
    assert Counter(got) == Counter(expected), f"usage per LLM run {sorted(got)} != server's {sorted(expected)}"
    for run in llm_runs:
        usage = usage_of(run)
        cache = (usage.get("input_token_details") or {}).get("cache_read") or 0
        assert cache == usage["input_tokens"] // 4, f"{run.name}: cache_read {cache} for {usage}"
        if reasoning:
            got_reasoning = (usage.get("output_token_details") or {}).get("reasoning") or 0
            assert got_reasoning == usage["output_tokens"] // 5, f"{run.name}: reasoning {got_reasoning} for {usage}"


def tool_arguments(run: Run) -> Any:
    """The tool's arguments from its inputs, whether flat or under one wrapping key."""
    inputs = run.inputs
    if set(TOOL_ARGUMENTS) <= set(inputs):
        return {k: inputs[k] for k in TOOL_ARGUMENTS}
    for key in ("input", "args", "arguments", "kwargs"):
        value = inputs.get(key)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if isinstance(value, dict):
            return value
    return inputs


def assert_tool_run(turn: Run, expect_error: bool = False, result: bool = True) -> Run:
    """The tool run with its arguments and, where AutoGen recorded it, its result.

    AutoGen puts a tool's result on no span of its own: it is only in the runtime's
    message payloads, which carry content from 0.7.2 on. With runtime tracing off,
    or before 0.7.2, nothing links the result to the call id, so result=False."""
    tools = [c for c in turn.children if c.run_type == "tool"]
    assert [t.name for t in tools] == ["percentage_change"], f"tool runs under {turn.name}\n{turn.render()}"
    tool = tools[0]
    assert tool_arguments(tool) == TOOL_ARGUMENTS, f"tool inputs {text_of(tool.inputs)}"
    if expect_error:
        assert "statistics backend unavailable" in (tool.data.get("error") or ""), f"tool error: {tool.data.get('error')}"
    else:
        assert not tool.data.get("error"), tool.data.get("error")
        if result:
            assert "85.98" in text_of(tool.outputs), f"tool output {text_of(tool.outputs)}"
    return tool


def assert_team_tree(runs: list[dict[str, Any]], *, team_name: str = "SelectorGroupChat",
                     turns: list[str] = REFERENCE_TURNS, selector: bool = True, content: bool = True,
                     tool_error: bool = False, tool_result: bool = True) -> Run:
    """Asserts the design.md §5 target tree; returns the team run."""
    assert_no_plumbing(runs)
    root = single_root(runs)
    team = team_run(root, team_name)
    agents = set(turns)
    order = [s.name for s in steps(team, agents)]
    expected: list[str] = []
    for name in turns:
        expected += [SELECT, name] if selector else [name]
    assert order == expected, f"team steps {order} != {expected}\n{describe(runs)}"

    step_runs = steps(team, agents)
    for i, step in enumerate(step_runs):
        if step.name == SELECT:
            assert_llm_run(step, content)
            if content:
                assert step_runs[i + 1].name in text_of(step.outputs), \
                    f"selector output {text_of(step.outputs)[:300]} does not name {step_runs[i + 1].name}"
            continue
        assert step.run_type == "chain", f"agent turn {step.name} is {step.run_type}"
        llms = [c for c in step.children if c.run_type == "llm"]
        assert llms, f"{step.name} has no LLM run\n{step.render()}"
        for llm in llms:
            assert_llm_run(llm, content)
            assert step.name in text_of(llm.metadata), f"agent name missing from {llm.name} metadata {llm.metadata}"
    analyst_turns = [s for s in step_runs if s.name == "DataAnalystAgent"]
    if analyst_turns:
        tool = assert_tool_run(analyst_turns[0], expect_error=tool_error, result=tool_result)
        assert "DataAnalystAgent" in text_of(tool.metadata), f"agent name missing from tool metadata {tool.metadata}"
    return team
