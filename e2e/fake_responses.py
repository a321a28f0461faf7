"""The Responses API (POST /v1/responses) for the fake OpenAI server, as the OpenAI Agents SDK
calls it by default: the request's instructions and input items become the chat messages the
script reads (so one script serves both APIs), and a scripted reply becomes a Response."""

from __future__ import annotations

import json
from typing import Any


def _item_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def to_messages(req: dict[str, Any]) -> list[dict[str, Any]]:
    """Chat-completions messages equivalent to a Responses request."""
    messages: list[dict[str, Any]] = []
    if req.get("instructions"):
        messages.append({"role": "system", "content": str(req["instructions"])})
    items = req.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    if not isinstance(items, list):
        raise ValueError("input must be a string or a list")
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("input items must be objects")
        kind = item.get("type", "message")
        if kind == "message":
            messages.append({"role": item.get("role", "user"), "content": _item_text(item.get("content"))})
        elif kind == "function_call":
            messages.append({"role": "assistant", "content": None, "tool_calls": [{
                "id": item.get("call_id"), "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments", "")}}]})
        elif kind == "function_call_output":
            output = item.get("output")
            messages.append({"role": "tool", "tool_call_id": item.get("call_id"),
                             "content": output if isinstance(output, str) else json.dumps(output)})
    return messages


def response_body(rid: str, model: str, req: dict[str, Any], reply: dict[str, Any],
                  usage: dict[str, Any]) -> dict[str, Any]:
    """A completed Response carrying the reply (text or function calls) and the usage."""
    if "tool_calls" in reply:
        output = [{"type": "function_call", "id": f"fc_{call['id']}", "call_id": call["id"],
                   "name": call["function"]["name"], "arguments": call["function"]["arguments"],
                   "status": "completed"} for call in reply["tool_calls"]]
    else:
        output = [{"type": "message", "id": f"msg_{rid}", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": reply.get("content") or "", "annotations": []}]}]
    return {
        "id": rid.replace("chatcmpl-", "resp_"), "object": "response", "created_at": 1_750_000_000,
        "status": "completed", "model": model, "output": output, "error": None, "incomplete_details": None,
        "instructions": req.get("instructions"), "metadata": {}, "parallel_tool_calls": True,
        "temperature": 1.0, "top_p": 1.0, "tool_choice": req.get("tool_choice") or "auto",
        "tools": req.get("tools") or [], "text": {"format": {"type": "text"}}, "truncation": "disabled",
        "usage": {
            "input_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"],
            "total_tokens": usage["total_tokens"],
            "input_tokens_details": {"cached_tokens": usage["prompt_tokens_details"]["cached_tokens"]},
            "output_tokens_details": {"reasoning_tokens": usage["completion_tokens_details"]["reasoning_tokens"]},
        },
    }
