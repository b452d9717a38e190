"""Vertex ML Metadata: a store's contexts, executions and artifacts, their links, and the list filters.

Experiments are built from these (an experiment is a ``system.Experiment`` context, a run a
``system.ExperimentRun`` child context holding ``_params``/``_metrics`` in its metadata), so the SDK's
``aiplatform.start_run``/``log_params``/``get_experiment_df`` work on them unchanged.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.emulation.protocols.google.errors import GoogleError

from gcp_ai_services.emulator.vertex.resources import now

KINDS = {"contexts": "Context", "executions": "Execution", "artifacts": "Artifact"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
#: ``field op "value"`` or ``in_context("name")`` / ``with_history...``; AND/OR between them
_CLAUSE = re.compile(
    r'^\s*(?:(?P<func>[a-z_]+)\(\s*"(?P<arg>[^"]*)"\s*\)|(?P<field>[A-Za-z_][\w.]*)\s*(?P<op>!=|>=|<=|=|:|<|>)\s*'
    r'(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^\s)]+)))\s*$'
)


@dataclass
class MetadataStore:
    """One ``metadataStores/*``: its resources by full name, context links and execution events."""

    name: str
    create_time: str = field(default_factory=now)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: context name -> names of the artifacts and executions added to it
    members: dict[str, list[str]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "createTime": self.create_time,
            "updateTime": self.create_time,
            "state": {"diskUtilizationBytes": "0"},
        }

    def create(self, kind: str, body: dict[str, Any], resource_id: str) -> dict[str, Any]:
        resource_id = resource_id or str(uuid.uuid4())
        if not _ID.match(resource_id):
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"Invalid {KINDS[kind]} id {resource_id!r}: use [a-z0-9][a-z0-9-]{{0,127}}.",
            )
        name = f"{self.name}/{kind}/{resource_id}"
        if name in self.resources:
            raise GoogleError("ALREADY_EXISTS", f"{KINDS[kind]} {name} already exists.")
        stamp = now()
        record = {k: v for k, v in body.items() if k not in ("name", "createTime", "updateTime", "etag")}
        record |= {"name": name, "createTime": stamp, "updateTime": stamp, "etag": uuid.uuid4().hex[:12]}
        record.setdefault("schemaTitle", f"system.{KINDS[kind]}")
        record.setdefault("schemaVersion", "0.0.1")
        record.setdefault("metadata", {})
        if kind == "contexts":
            record.setdefault("parentContexts", [])
        if kind == "artifacts":
            record.setdefault("state", "LIVE")
        if kind == "executions":
            record.setdefault("state", "NEW")
        self.resources[name] = record
        return record

    def get(self, kind: str, name: str) -> dict[str, Any]:
        record = self.resources.get(name)
        if record is None or f"/{kind}/" not in name:
            raise GoogleError("NOT_FOUND", f"{KINDS[kind]} {name} not found.")
        return record

    def update(self, kind: str, name: str, body: dict[str, Any], mask: list[str]) -> dict[str, Any]:
        record = self.get(kind, name)
        fields = mask or [k for k in body if k not in ("name", "createTime", "updateTime", "etag")]
        for member in fields:
            if member in body:
                record[member] = body[member]
        record["updateTime"] = now()
        record["etag"] = uuid.uuid4().hex[:12]
        return record

    def delete(self, kind: str, name: str) -> None:
        self.get(kind, name)
        del self.resources[name]
        self.members.pop(name, None)
        for other in self.resources.values():
            if name in other.get("parentContexts", []):
                other["parentContexts"].remove(name)

    def search(self, kind: str, filter_text: str) -> list[dict[str, Any]]:
        found = [r for n, r in self.resources.items() if n.startswith(f"{self.name}/{kind}/")]
        return [r for r in found if self._matches(r, filter_text)]

    def add_children(self, context: str, children: list[str]) -> None:
        self.get("contexts", context)
        for child in children:
            record = self.get("contexts", child)
            if child == context:
                raise GoogleError("INVALID_ARGUMENT", f"Context {child} cannot be its own child.")
            if context not in record["parentContexts"]:
                record["parentContexts"].append(context)

    def add_members(self, context: str, names: list[str]) -> None:
        self.get("contexts", context)
        members = self.members.setdefault(context, [])
        for name in names:
            if name not in self.resources:
                raise GoogleError("NOT_FOUND", f"{name} not found.")
            if name not in members:
                members.append(name)

    def add_events(self, execution: str, events: list[dict[str, Any]]) -> None:
        self.get("executions", execution)
        for event in events:
            self.get("artifacts", str(event.get("artifact", "")))
            known = (execution, event.get("artifact"), event.get("type"))
            if not any((e["execution"], e.get("artifact"), e.get("type")) == known for e in self.events):
                self.events.append({**event, "execution": execution, "eventTime": now()})

    def lineage(self, context: str) -> dict[str, Any]:
        """The artifacts and executions of ``context`` and the events between them."""
        self.get("contexts", context)
        names = set(self.members.get(context, []))
        return self._subgraph(names)

    def inputs_and_outputs(self, execution: str) -> dict[str, Any]:
        self.get("executions", execution)
        names = {execution} | {str(e["artifact"]) for e in self.events if e["execution"] == execution}
        return self._subgraph(names)

    def _subgraph(self, names: set[str]) -> dict[str, Any]:
        kinds = {"artifacts": [], "executions": []}  # type: dict[str, list[dict[str, Any]]]
        for name in sorted(names):
            if name in self.resources:
                kinds["artifacts" if "/artifacts/" in name else "executions"].append(self.resources[name])
        events = [e for e in self.events if e["execution"] in names and e["artifact"] in names]
        return {**kinds, "events": events}

    def _matches(self, record: dict[str, Any], text: str) -> bool:
        """AIP-160 as Vertex Metadata filters lists: clauses joined by AND / OR (no parentheses nesting)."""
        text = _unwrap(text)
        if not text:
            return True
        groups = _split(text, "OR")
        if len(groups) > 1:
            return any(self._matches(record, group) for group in groups)
        clauses = _split(text, "AND")
        if len(clauses) > 1:
            return all(self._matches(record, clause) for clause in clauses)
        return self._clause(record, text)

    def _clause(self, record: dict[str, Any], clause: str) -> bool:
        match = _CLAUSE.match(clause)
        if match is None:
            raise GoogleError("INVALID_ARGUMENT", f"Invalid filter clause {clause!r}.")
        if match.group("func"):
            arg = match.group("arg")
            if match.group("func") == "in_context":
                return record["name"] in self.members.get(arg, [])
            raise GoogleError("INVALID_ARGUMENT", f"Unsupported filter function {match.group('func')}().")
        actual = _field(record, match.group("field"))
        wanted = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
        op = match.group("op")
        if op == ":":
            return wanted in actual if isinstance(actual, list) else wanted in str(actual)
        if isinstance(actual, list):
            actual = actual[0] if actual else ""
        if op in ("=", "!="):
            return (str(actual) == wanted) == (op == "=")
        pairs = {"<": str.__lt__, ">": str.__gt__, "<=": str.__le__, ">=": str.__ge__}
        return bool(pairs[op](str(actual), wanted))


def _field(record: dict[str, Any], path: str) -> Any:
    """A record's value for a filter field name (``display_name``, ``metadata.key.string_value``...)."""
    head, _, rest = path.partition(".")
    camel = {"parent_contexts": "parentContexts"}.get(head, _camel(head))
    if head == "metadata":  # metadata.<key>.string_value / .number_value: the value itself
        return record.get("metadata", {}).get(rest.partition(".")[0], "")
    return record.get(camel, "")


def _unwrap(text: str) -> str:
    """``text`` without parentheses around all of it."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, char in enumerate(text):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def _camel(name: str) -> str:
    first, *others = name.split("_")
    return first + "".join(part.title() for part in others)


def _split(text: str, word: str) -> list[str]:
    """``text`` split at top-level `` AND `` / `` OR `` (not inside quotes or parentheses)."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    token = f" {word} "
    while i < len(text):
        char = text[i]
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and text.startswith(token, i):
            parts.append(text[start:i])
            i += len(token)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts
