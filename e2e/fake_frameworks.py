"""Scripted answers for the non-AutoGen framework programs (programs/maf_workflows.py,
programs/agents_sdk.py), consulted by fake_openai.script_reply.

The conversation is recognised by the agent's system prompt (each program's agents use the
markers below) or, for the Magentic manager, by the ledger prompt it was sent. Answers depend
only on what is already in the conversation, so every run of a program gets the same replies.
"""

from __future__ import annotations

import json
from typing import Any

WEATHER_SYSTEM = "You are a weather assistant."
WRITER_SYSTEM = "You are a travel writer."
COORDINATOR_SYSTEM = "You coordinate a travel group chat."
TRIAGE_SYSTEM = "You are a triage agent."
MANAGER_SYSTEM = "You manage a travel team."
# OpenAI Agents SDK programs (handoff tools are named transfer_to_<agent> there).
ROUTER_SYSTEM = "You route travel questions."
PLANNER_SYSTEM = "You plan trips."

WEATHER_TOOL = "get_weather"
WEATHER_CALL_ID = "call_weather_paris_01"
WEATHER_ARGUMENTS = {"city": "Paris"}
WEATHER_RESULT = "Sunny, 21 C in Paris"
WEATHER_ANSWER = "It is sunny and 21 C in Paris today."
WRITER_TEXT = "Paris in the sun: stroll the Seine at 21 C and end the day on a cafe terrace."
HANDOFF_TOOL = "handoff_to_WeatherAgent"
HANDOFF_CALL_ID = "call_handoff_weather_01"

TRANSFER_TOOL = "transfer_to_weatheragent"
TRANSFER_CALL_ID = "call_transfer_weather_01"
ASK_WEATHER_TOOL = "ask_weather"
ASK_WEATHER_CALL_ID = "call_ask_weather_01"
WEATHER_QUESTION = "What is the weather in Paris today?"
PLANNER_TEXT = "Pack sunglasses: Paris is sunny and 21 C today."

MAGENTIC_FACTS = "1. GIVEN OR VERIFIED FACTS\n- The city is Paris.\n2. FACTS TO LOOK UP\n- Today's weather."
MAGENTIC_PLAN = "- WeatherAgent: get the weather in Paris.\n- WriterAgent: write one travel line from it."
MAGENTIC_FINAL = "Paris today: sunny and 21 C, perfect for a stroll along the Seine."


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _tool_call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"tool_calls": [{"id": call_id, "type": "function",
                            "function": {"name": name, "arguments": json.dumps(arguments, separators=(",", ":"))}}]}


def _answered(messages: list[dict[str, Any]], call_id: str) -> bool:
    return any(m.get("role") == "tool" and m.get("tool_call_id") == call_id for m in messages)


def _ledger(everything: str) -> dict[str, Any]:
    """The Magentic progress ledger: weather first, then the writer, then done."""
    done = WRITER_TEXT in everything
    speaker = "WriterAgent" if WEATHER_ANSWER in everything else "WeatherAgent"
    instruction = "Write one travel line from the weather." if speaker == "WriterAgent" else "Get the weather in Paris."
    return {
        "is_request_satisfied": {"reason": "the writer has answered" if done else "work remains", "answer": done},
        "is_in_loop": {"reason": "no repetition", "answer": False},
        "is_progress_being_made": {"reason": "each step adds information", "answer": True},
        "next_speaker": {"reason": "next step of the plan", "answer": speaker},
        "instruction_or_question": {"reason": "what the step needs", "answer": instruction},
    }


def framework_reply(messages: list[dict[str, Any]], system: str = "") -> dict[str, Any] | None:
    """Returns {"content": str} or {"tool_calls": [...]}, or None when the conversation is not ours.

    `system` is the instructions when the API carries them outside the messages (Responses API).
    """
    system = system + " " + " ".join(_text(m.get("content")) for m in messages
                                     if m.get("role") in ("system", "developer"))
    everything = system + " " + " ".join(_text(m.get("content")) for m in messages)
    last = _text(messages[-1].get("content")) if messages else ""
    if MANAGER_SYSTEM in system:
        if "Here is the pre-survey" in last:
            return {"content": MAGENTIC_FACTS}
        if "devise a short bullet-point plan" in last:
            return {"content": MAGENTIC_PLAN}
        if "Who should speak next?" in last:
            return {"content": json.dumps(_ledger(everything))}
        return {"content": MAGENTIC_FINAL}
    if COORDINATOR_SYSTEM in system:
        done = WRITER_TEXT in everything
        speaker = None if done else ("WriterAgent" if WEATHER_ANSWER in everything else "WeatherAgent")
        return {"content": json.dumps({"terminate": done, "reason": "the plan says so", "next_speaker": speaker,
                                       "final_message": WRITER_TEXT if done else None})}
    if ROUTER_SYSTEM in system:
        if _answered(messages, TRANSFER_CALL_ID):
            return {"content": "Transferred to the weather assistant."}
        return _tool_call(TRANSFER_CALL_ID, TRANSFER_TOOL, {})
    if PLANNER_SYSTEM in system:
        if _answered(messages, ASK_WEATHER_CALL_ID):
            return {"content": PLANNER_TEXT}
        return _tool_call(ASK_WEATHER_CALL_ID, ASK_WEATHER_TOOL, {"input": WEATHER_QUESTION})
    if TRIAGE_SYSTEM in system:
        if _answered(messages, HANDOFF_CALL_ID):
            return {"content": "Handing you over to the weather assistant."}
        return _tool_call(HANDOFF_CALL_ID, HANDOFF_TOOL, {})
    if WEATHER_SYSTEM in system:
        if _answered(messages, WEATHER_CALL_ID):
            return {"content": WEATHER_ANSWER}
        return _tool_call(WEATHER_CALL_ID, WEATHER_TOOL, WEATHER_ARGUMENTS)
    if WRITER_SYSTEM in system:
        return {"content": WRITER_TEXT}
    return None
