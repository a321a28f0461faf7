"""Reading the runs the sink received and looking at them as the tree LangSmith would show."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from processes import http_json, http_text


class Sink:
    """Client of the LangSmith-compatible sink's /_test/ control API."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def runs(self) -> list[dict[str, Any]]:
        return http_json("GET", self.base_url + "/_test/runs") or []

    def violations(self) -> list[Any]:
        return http_json("GET", self.base_url + "/_test/violations") or []

    def check(self) -> list[Any]:
        return http_json("GET", self.base_url + "/_test/check") or []

    def tree(self) -> str:
        return http_text(self.base_url + "/_test/tree")

    def requests(self) -> list[dict[str, Any]]:
        return http_json("GET", self.base_url + "/_test/requests") or []

    def reset(self) -> None:
        http_json("POST", self.base_url + "/_test/reset")

    def wait_quiet(self, min_runs: int = 1, quiet: float = 3.0, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Polls until at least min_runs arrived and the count stayed the same for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        last_count, last_change = -1, time.monotonic()
        runs: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            runs = self.runs()
            now = time.monotonic()
            if len(runs) != last_count:
                last_count, last_change = len(runs), now
            elif len(runs) >= min_runs and now - last_change >= quiet:
                return runs
            time.sleep(0.25)
        raise TimeoutError(f"runs did not settle within {timeout}s: {len(runs)} received (wanted >= {min_runs})")


@dataclass
class Run:
    data: dict[str, Any]
    children: list["Run"] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def name(self) -> str:
        return self.data.get("name") or ""

    @property
    def run_type(self) -> str:
        return self.data.get("run_type") or ""

    @property
    def inputs(self) -> dict[str, Any]:
        return self.data.get("inputs") or {}

    @property
    def outputs(self) -> dict[str, Any]:
        return self.data.get("outputs") or {}

    @property
    def metadata(self) -> dict[str, Any]:
        return (self.data.get("extra") or {}).get("metadata") or {}

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, name: str) -> list["Run"]:
        return [r for r in self.walk() if r.name == name]

    def render(self, depth: int = 0) -> str:
        lines = [f"{'  ' * depth}{self.name} [{self.run_type}]"]
        lines += [c.render(depth + 1) for c in self.children]
        return "\n".join(lines)


def build_forest(runs: list[dict[str, Any]]) -> list[Run]:
    """Roots (runs whose parent is absent) with children sorted by dotted_order (= start order)."""
    nodes = {r["id"]: Run(r) for r in runs}
    roots: list[Run] = []
    for node in nodes.values():
        parent = nodes.get(node.data.get("parent_run_id") or "")
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda r: r.data.get("dotted_order") or "")
    roots.sort(key=lambda r: r.data.get("dotted_order") or "")
    return roots


def render_forest(roots: list[Run]) -> str:
    return "\n".join(r.render() for r in roots)


def message_list(value: Any) -> list[Any]:
    """Messages under inputs/outputs in any of LangSmith's accepted shapes."""
    if isinstance(value, dict):
        for key in ("messages", "choices", "generations"):
            if key in value and isinstance(value[key], list):
                items = value[key]
                # LangChain-style [[msg, ...]] batches
                if items and isinstance(items[0], list):
                    items = [m for batch in items for m in batch]
                return items
        if "message" in value:
            return [value["message"]]
    return []
