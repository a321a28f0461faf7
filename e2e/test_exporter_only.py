"""The langsmith exporter alone (no agent_span): every raw span of the reference run arrives as a
valid LangSmith run, LLM runs complete, in at most two requests. This is what the processor then
improves on; if the exporter were missing from the pipeline nothing would arrive at all."""

import pytest

from runtree import Run, build_forest
from team_assertions import assert_llm_run, assert_sink_clean, assert_team_tree

REFERENCE_SPANS = 61


@pytest.mark.parametrize("stack", ["collector-exporter-only.yaml"], indirect=True)
def test_exporter_alone_delivers_every_span_as_a_run(stack, run_program):
    run_program("reference")
    runs = stack.sink.wait_quiet(min_runs=REFERENCE_SPANS)
    assert len(runs) == REFERENCE_SPANS, f"{len(runs)} runs for {REFERENCE_SPANS} spans"
    assert_sink_clean(stack.sink)
    roots = build_forest(runs)
    assert [r.name for r in roots] == ["run_team"], "one trace"
    llm_runs = [Run(r) for r in runs if r["run_type"] == "llm"]
    assert len(llm_runs) == 6
    for run in llm_runs:
        assert_llm_run(run)
    ingest = [r for r in stack.sink.requests() if r.get("path", "").startswith("/runs")]
    assert 1 <= len(ingest) <= 2, f"{len(ingest)} ingest requests"
    # Without the processor the suite's target tree is not there: the other tests would fail
    # if agent_span were removed from the pipeline.
    with pytest.raises(AssertionError):
        assert_team_tree(runs)
