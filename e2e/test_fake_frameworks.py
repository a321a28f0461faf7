"""The fake server's script for the framework programs and its Responses API (no collector)."""

import json
import urllib.error
import urllib.request

import openai
import pytest

from fake_frameworks import (MANAGER_SYSTEM, ROUTER_SYSTEM, TRANSFER_CALL_ID, TRANSFER_TOOL, WEATHER_ANSWER,
                             WEATHER_CALL_ID, WEATHER_SYSTEM, WRITER_TEXT, framework_reply)
from fake_openai import FakeOpenAI, script_reply


@pytest.fixture
def server():
    with FakeOpenAI(latency=0) as s:
        yield s


def test_weather_agent_calls_its_tool_then_answers():
    ask = [{"role": "system", "content": WEATHER_SYSTEM}, {"role": "user", "content": "weather?"}]
    call = script_reply(ask)["tool_calls"][0]
    assert call["id"] == WEATHER_CALL_ID and json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    done = ask + [{"role": "tool", "tool_call_id": WEATHER_CALL_ID, "content": "Sunny"}]
    assert script_reply(done) == {"content": WEATHER_ANSWER}


def test_magentic_ledger_moves_from_weather_to_writer_to_done():
    def ledger(history):
        msgs = [{"role": "system", "content": MANAGER_SYSTEM}] + history + [
            {"role": "user", "content": "Who should speak next? (select from: WeatherAgent, WriterAgent)"}]
        return json.loads(script_reply(msgs)["content"])
    first = ledger([])
    assert first["next_speaker"]["answer"] == "WeatherAgent" and not first["is_request_satisfied"]["answer"]
    assert ledger([{"role": "assistant", "content": WEATHER_ANSWER}])["next_speaker"]["answer"] == "WriterAgent"
    assert ledger([{"role": "assistant", "content": WRITER_TEXT}])["is_request_satisfied"]["answer"] is True


def test_other_conversations_are_left_to_the_autogen_script():
    assert framework_reply([{"role": "system", "content": "You are a planning agent."}]) is None


def test_responses_api_round_trip(server):
    client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0, timeout=10)
    first = client.responses.create(model="gpt-4o", instructions=ROUTER_SYSTEM, input="weather in Paris?")
    call = first.output[0]
    assert (call.type, call.name, call.call_id) == ("function_call", TRANSFER_TOOL, TRANSFER_CALL_ID)
    assert first.usage.input_tokens_details.cached_tokens == first.usage.input_tokens // 4
    assert first.usage.output_tokens_details.reasoning_tokens == first.usage.output_tokens // 5

    second = client.responses.create(model="gpt-4o", instructions=ROUTER_SYSTEM, input=[
        {"role": "user", "content": "weather in Paris?"},
        {"type": "function_call", "call_id": TRANSFER_CALL_ID, "name": TRANSFER_TOOL, "arguments": "{}"},
        {"type": "function_call_output", "call_id": TRANSFER_CALL_ID, "output": "ok"}])
    assert second.output[0].type == "message" and second.output_text
    # Logged with chat-equivalent messages, the form the usage checks read.
    assert server.requests[0]["api"] == "responses"
    assert server.requests[1]["messages"][-1] == {"role": "tool", "tool_call_id": TRANSFER_CALL_ID, "content": "ok"}
    assert first.id != second.id


def test_responses_api_rejects_what_it_does_not_script(server):
    def post(body):
        req = urllib.request.Request(server.base_url + "/responses", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as err:
            return err.code
    assert post(b"{not json") == 400
    assert post(b'{"input": 7}') == 400
    assert post(b'{"input": "x", "stream": true}') == 400
    assert server.requests == []
