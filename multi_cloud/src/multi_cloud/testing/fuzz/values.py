"""Random values for botocore shapes: mostly plausible, sometimes at or past the model's limits."""

from __future__ import annotations

import base64
import datetime
import random
import string
from typing import Any

#: names reused often, so requests reach past "not found" into the handlers
NAME_POOL = ("fuzz-bucket", "fuzz-fn", "fuzz-model", "fuzz-endpoint", "fuzz-job", "fuzz-key.txt")
ODD_STRINGS = (
    "",
    "my bucket",
    "../../etc/passwd",
    "s3://fuzz-bucket/key",
    "arn:aws:iam::123456789012:role/fuzz",
    "ünïcödé ✓",
    "a" * 300,
    "%00",
    "{}",
    "<xml/>",
    "-1",
)


class ShapeValues:
    """``value(shape)`` for any botocore shape, recursion bounded by ``max_depth``."""

    def __init__(self, rng: random.Random, max_depth: int = 3) -> None:
        self.rng = rng
        self.max_depth = max_depth

    def value(self, shape: Any, depth: int = 0) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, depth)
        if kind == "list":
            if depth >= self.max_depth:
                return []
            return [self.value(shape.member, depth + 1) for _ in range(self.rng.randint(0, 2))]
        if kind == "map":
            if depth >= self.max_depth:
                return {}
            return {
                self.string(shape.key): self.value(shape.value, depth + 1)
                for _ in range(self.rng.randint(0, 2))
            }
        if kind == "string":
            return self.string(shape)
        if kind in ("integer", "long"):
            return self.integer(shape)
        if kind in ("float", "double"):
            return self.rng.choice([0.0, 0.5, 1.0, -1.0, 1e12, self.rng.random() * 100])
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            return datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(
                seconds=self.rng.randint(-(10**8), 10**8)
            )
        if kind == "blob":
            return bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 64)))
        return None

    def structure(self, shape: Any, depth: int) -> dict[str, Any]:
        required = set(shape.required_members)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            if name in required or (depth < self.max_depth and self.rng.random() < 0.3):
                if (
                    getattr(member, "type_name", "") == "structure"
                    and depth >= self.max_depth
                    and name not in required
                ):
                    continue
                out[name] = self.value(member, depth + 1)
        return out

    def string(self, shape: Any) -> str:
        enum = getattr(shape, "enum", None)
        roll = self.rng.random()
        if enum and roll < 0.8:
            return str(self.rng.choice(enum))
        if roll < 0.45:
            return self.rng.choice(NAME_POOL)
        if roll < 0.8:
            return self._token(shape)
        return self.rng.choice(ODD_STRINGS)

    def integer(self, shape: Any) -> int:
        low = shape.metadata.get("min", 0)
        high = shape.metadata.get("max", 100)
        return self.rng.choice(
            [int(low), int(high), self.rng.randint(int(low), max(int(low), min(int(high), 1000))), -1, 0]
        )

    def _token(self, shape: Any) -> str:
        low = int(shape.metadata.get("min", 1) or 1)
        high = int(shape.metadata.get("max", 24) or 24)
        low = max(1, low)
        size = self.rng.randint(low, max(low, min(high, low + 24)))
        return "fuzz-" + "".join(self.rng.choice(string.ascii_lowercase + string.digits) for _ in range(size))


def wrong_type(value: Any, rng: random.Random) -> Any:
    """A JSON value of another type than ``value``."""
    if isinstance(value, dict):
        return rng.choice(["not an object", 42, [value]])
    if isinstance(value, list):
        return rng.choice([{"not": "a list"}, "not a list", 7])
    if isinstance(value, bool):
        return rng.choice(["yes", 2, None])
    if isinstance(value, (int, float)):
        return rng.choice(["NaN", {"n": value}, [value], 10**30])
    if isinstance(value, str):
        return rng.choice([12345, {"s": value}, [value], None, True, base64.b64encode(b"x").decode() * 0])
    return rng.choice(["?", 0, {}])
