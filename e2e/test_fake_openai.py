"""The scripted OpenAI server itself (no collector needed)."""

import json
import os
import time
import urllib.error
import urllib.request

import openai
import pytest

from fake_openai import (PLAN_TEXT, SUMMARY_TEXT, TOOL_CALL_ID, FakeOpenAI, script_reply, usage_for)

SELECTOR = ("Select an agent to perform task.\n\nPlanningAgent: plans\nDataAnalystAgent: calculates\n\n"
            "Current conversation context:\nuser: task\n{history}\n\nRead the above conversation, then select "
            "an agent from ['PlanningAgent', 'DataAnalystAgent'] to perform the next task.")


def test_selector_alternates_from_the_history():
    ask = lambda history: script_reply([{"role": "system", "content": SELECTOR.format(history=history)}])
    assert ask("") == {"content": "PlanningAgent"}
    assert ask("PlanningAgent: Plan: ...") == {"content": "DataAnalystAgent"}
    assert ask("PlanningAgent: Plan\nDataAnalystAgent: 85.98") == {"content": "PlanningAgent"}


def test_agents_follow_the_script():
    planner = [{"role": "system", "content": "You are a planning agent."}, {"role": "user", "content": "task"}]
    assert script_reply(planner) == {"content": PLAN_TEXT}
    done = planner + [{"role": "user", "name": "DataAnalystAgent", "content": "85.98"}]
    assert script_reply(done)["content"] == SUMMARY_TEXT and SUMMARY_TEXT.endswith("TERMINATE")
    analyst = [{"role": "system", "content": "You are a data analyst."}, {"role": "user", "content": "task"}]
    call = script_reply(analyst)["tool_calls"][0]
    assert call["id"] == TOOL_CALL_ID and json.loads(call["function"]["arguments"]) == {"start": 214, "end": 398}
    after = analyst + [{"role": "tool", "tool_call_id": TOOL_CALL_ID, "content": "85.98"}]
    assert "85.98" in script_reply(after)["content"]


def test_usage_is_deterministic_and_detailed():
    msgs = [{"role": "user", "content": "x" * 400}]
    a, b = usage_for(msgs, {"content": "y"}), usage_for(msgs, {"content": "y"})
    assert a == b
    assert a["total_tokens"] == a["prompt_tokens"] + a["completion_tokens"]
    assert a["prompt_tokens_details"]["cached_tokens"] == a["prompt_tokens"] // 4 > 0


@pytest.fixture
def server():
    with FakeOpenAI(latency=0) as s:
        yield s


def test_non_streaming_and_streaming_over_http(server):
    client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0, timeout=10)
    msgs = [{"role": "system", "content": "You are a data analyst."}, {"role": "user", "content": "go"}]
    resp = client.chat.completions.create(model="gpt-4o", messages=msgs)
    assert resp.choices[0].finish_reason == "tool_calls"
    assert resp.choices[0].message.tool_calls[0].id == TOOL_CALL_ID
    assert resp.usage.prompt_tokens_details.cached_tokens == resp.usage.prompt_tokens // 4
    assert resp.usage.completion_tokens_details.reasoning_tokens == resp.usage.completion_tokens // 5

    planner = [{"role": "system", "content": "You are a planning agent."}, {"role": "user", "content": "go"}]
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=planner, stream=True,
                                                 stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == PLAN_TEXT
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    no_usage = list(client.chat.completions.create(model="gpt-4o", messages=planner, stream=True))
    assert all(c.usage is None for c in no_usage)
    assert len(server.requests) == 3
    ids = {resp.id, chunks[0].id, no_usage[0].id}
    assert len(ids) == 3, "every response has its own id"


def test_bad_requests_get_400_and_unknown_paths_404(server):
    def post(path, body):
        req = urllib.request.Request(server.base_url.rsplit("/v1", 1)[0] + path, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as err:
            return err.code

    assert post("/v1/chat/completions", b"{not json") == 400
    assert post("/v1/chat/completions", b'{"messages": "nope"}') == 400
    assert post("/v1/chat/completions", b'{"model": "x"}') == 400
    assert post("/v1/chat/completions", b"\xff\xfe") == 400
    assert post("/v1/embeddings", b"{}") == 404
    assert server.requests == []


def test_server_stops_itself_after_its_lifetime():
    s = FakeOpenAI(latency=0, max_duration=0.3).start()
    url = s.base_url + "/models"
    with urllib.request.urlopen(url, timeout=2) as r:
        assert r.status == 200
    time.sleep(1.0)
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=2)


def test_runs_as_a_program_with_a_port_file(tmp_path):
    import subprocess
    import sys

    port_file = tmp_path / "port"
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_openai.py")
    proc = subprocess.Popen([sys.executable, script, "--port-file", str(port_file), "--max-duration", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        port = int(port_file.read_text())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2) as r:
            assert r.status == 200
        assert proc.wait(timeout=10) == 0, "stops by itself after --max-duration"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
