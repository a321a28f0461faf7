"""Scripted OpenAI-compatible chat-completions server for the end-to-end suite.

Stdlib only. Listens on 127.0.0.1 (random free port unless told otherwise), answers
POST /v1/chat/completions (and /v1/responses, see fake_responses.py) deterministically from
the conversation it is sent, and shuts itself down after a bounded lifetime so a crashed test
never leaves it behind.

The script follows the reference program (autogen-spans.md §0):
  selector prompt            -> next speaker: PlanningAgent first, then alternate
  PlanningAgent, no analysis -> a plan
  PlanningAgent, after data  -> a summary ending in TERMINATE
  DataAnalystAgent           -> tool call percentage_change {"start":214,"end":398}
  DataAnalystAgent, tool ran -> text stating the result

Run as a program: python fake_openai.py --port-file PATH [--max-duration SECONDS]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fake_frameworks import framework_reply
from fake_responses import response_body, to_messages

TOOL_CALL_ID = "call_Qm3tTkbL9xWvZ1pA7cR2yH5e"
TOOL_NAME = "percentage_change"
TOOL_ARGUMENTS = {"start": 214, "end": 398}
SYSTEM_FINGERPRINT = "fp_07871e2ad8"
SELECTOR_MARKER = "Select an agent to perform task."
HISTORY_START = "Current conversation context:"
HISTORY_END = "Read the above conversation"
AGENTS = ("PlanningAgent", "DataAnalystAgent")

PLAN_TEXT = (
    "Plan:\n"
    "1. DataAnalystAgent : Calculate the percentage change in total rebounds from 214 (2007-2008) "
    "to 398 (2008-2009)."
)
SUMMARY_TEXT = (
    "Summary: Dwyane Wade's total rebounds went from 214 in 2007-2008 to 398 in 2008-2009, "
    "an increase of about 85.98%. TERMINATE"
)
ANALYSIS_TEXT = "The percentage change from 214 to 398 is 85.98%."

# The nested-team program (programs/autogen_cases.py): system prompt marker -> answer.
WRITER_TEXT = "Salt wind combs the restless tide;\nthe harbour lights keep watch beside."
REVIEWER_TEXT = "Review: vivid imagery, consistent metre. Approved for publication."
PUBLISHER_TEXT = "Published the approved poem to the blog. TERMINATE"
WRITING_REPLIES = {
    "You are a poet.": WRITER_TEXT,
    "You are a strict poetry reviewer.": REVIEWER_TEXT,
    "You are a publisher.": PUBLISHER_TEXT,
}


def _text(content: Any) -> str:
    """Flattens OpenAI message content (string or list of parts) to text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _last_speaker(prompt: str) -> str | None:
    """Last agent that spoke in the selector prompt's rendered history."""
    start = prompt.find(HISTORY_START)
    history = prompt[start + len(HISTORY_START):] if start >= 0 else prompt
    end = history.find(HISTORY_END)
    if end >= 0:
        history = history[:end]
    best, best_pos = None, -1
    for agent in AGENTS:
        pos = history.rfind(agent + ":")
        if pos > best_pos:
            best, best_pos = agent, pos
    return best


def script_reply(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Returns {"content": str} or {"tool_calls": [...]} for a conversation."""
    system = " ".join(_text(m.get("content")) for m in messages if m.get("role") == "system")
    everything = " ".join(_text(m.get("content")) for m in messages)
    if SELECTOR_MARKER in everything:
        last = _last_speaker(everything)
        return {"content": "DataAnalystAgent" if last == "PlanningAgent" else "PlanningAgent"}
    if "data analyst" in system.lower():
        if messages and messages[-1].get("role") == "tool":
            return {"content": ANALYSIS_TEXT}
        return {
            "tool_calls": [
                {
                    "id": TOOL_CALL_ID,
                    "type": "function",
                    "function": {"name": TOOL_NAME, "arguments": json.dumps(TOOL_ARGUMENTS, separators=(",", ":"))},
                }
            ]
        }
    if "planning agent" in system.lower():
        analysed = any(m.get("name") == "DataAnalystAgent" for m in messages)
        return {"content": SUMMARY_TEXT if analysed else PLAN_TEXT}
    for marker, text in WRITING_REPLIES.items():
        if marker in system:
            return {"content": text}
    scripted = framework_reply(messages)
    if scripted is not None:
        return scripted
    return {"content": "OK"}


def usage_for(messages: list[dict[str, Any]], reply: dict[str, Any]) -> dict[str, Any]:
    """Deterministic token counts derived from the text sizes (about 4 characters a token)."""
    prompt_tokens = max(1, len(json.dumps(messages, sort_keys=True)) // 4)
    completion_tokens = max(1, len(json.dumps(reply, sort_keys=True)) // 4)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": prompt_tokens // 4, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": completion_tokens // 5, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }


class FakeOpenAI:
    """The server plus its bookkeeping (request log, response counter)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, latency: float = 0.05,
                 max_duration: float = 600.0, model: str = "gpt-4o-2024-08-06"):
        self.latency = latency
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._counter = 0
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._timer = threading.Timer(max_duration, self.stop)
        self._timer.daemon = True

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "FakeOpenAI":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def next_id(self, messages: list[dict[str, Any]]) -> str:
        with self._lock:
            self._counter += 1
            n = self._counter
        digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:12]
        return f"chatcmpl-e2e{n:03d}{digest}"

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    self._json(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

            def do_POST(self) -> None:
                if self.path.rstrip("/") == "/v1/responses":
                    self._responses()
                    return
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                    if length < 0 or length > 16 << 20:
                        raise ValueError("bad Content-Length")
                    req = json.loads(self.rfile.read(length) or b"{}")
                    messages = req["messages"]
                    if not isinstance(messages, list):
                        raise ValueError("messages must be a list")
                except (ValueError, KeyError, TypeError) as err:
                    self._json(400, {"error": {"message": f"bad request: {err}", "type": "invalid_request_error"}})
                    return
                with server._lock:
                    server.requests.append(req)
                reply = script_reply(messages)
                usage = usage_for(messages, reply)
                rid = server.next_id(messages)
                time.sleep(server.latency)
                if req.get("stream"):
                    include_usage = bool((req.get("stream_options") or {}).get("include_usage"))
                    self._stream(rid, reply, usage if include_usage else None)
                else:
                    self._json(200, self._completion(rid, reply, usage))

            def _responses(self) -> None:
                """POST /v1/responses (non-streaming), answered from the same script."""
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                    if length < 0 or length > 16 << 20:
                        raise ValueError("bad Content-Length")
                    req = json.loads(self.rfile.read(length) or b"{}")
                    if req.get("stream"):
                        raise ValueError("streaming responses are not scripted")
                    messages = to_messages(req)
                except (ValueError, TypeError, AttributeError) as err:
                    self._json(400, {"error": {"message": f"bad request: {err}", "type": "invalid_request_error"}})
                    return
                # Logged with its chat-equivalent messages, so usage checks work for both APIs.
                with server._lock:
                    server.requests.append({**req, "messages": messages, "api": "responses"})
                reply = script_reply(messages)
                usage = usage_for(messages, reply)
                rid = server.next_id(messages)
                time.sleep(server.latency)
                self._json(200, response_body(rid, server.model, req, reply, usage))

            def _completion(self, rid: str, reply: dict[str, Any], usage: dict[str, Any]) -> dict[str, Any]:
                message: dict[str, Any] = {"role": "assistant", "content": reply.get("content"), "refusal": None}
                finish = "stop"
                if "tool_calls" in reply:
                    message["tool_calls"] = reply["tool_calls"]
                    finish = "tool_calls"
                return {
                    "id": rid, "object": "chat.completion", "created": 1_750_000_000, "model": server.model,
                    "system_fingerprint": SYSTEM_FINGERPRINT, "service_tier": "default",
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
                    "usage": usage,
                }

            def _stream(self, rid: str, reply: dict[str, Any], usage: dict[str, Any] | None) -> None:
                base = {"id": rid, "object": "chat.completion.chunk", "created": 1_750_000_000,
                        "model": server.model, "system_fingerprint": SYSTEM_FINGERPRINT}

                def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
                    return {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

                events = [chunk({"role": "assistant", "content": ""})]
                if "tool_calls" in reply:
                    for i, call in enumerate(reply["tool_calls"]):
                        events.append(chunk({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                                                             "function": {"name": call["function"]["name"], "arguments": ""}}]}))
                        events.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": call["function"]["arguments"]}}]}))
                    events.append(chunk({}, "tool_calls"))
                else:
                    words = reply["content"].split(" ")
                    for i, word in enumerate(words):
                        events.append(chunk({"content": word if i == 0 else " " + word}))
                    events.append(chunk({}, "stop"))
                if usage is not None:
                    events.append({**base, "choices": [], "usage": usage})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                for ev in events:
                    self.wfile.write(b"data: " + json.dumps(ev).encode() + b"\n\n")
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--max-duration", type=float, default=600.0, help="seconds before the server stops itself")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds to wait before each answer")
    args = parser.parse_args()
    server = FakeOpenAI(port=args.port, latency=args.latency, max_duration=args.max_duration).start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(server.port))
        os.replace(tmp, args.port_file)
    print(f"fake OpenAI listening on {server.base_url}", flush=True)
    server._thread.join()  # returns when stop() runs (lifetime timer or signal)


if __name__ == "__main__":
    main()
