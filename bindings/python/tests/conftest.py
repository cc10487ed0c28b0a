"""Shared helpers for the ratecard wheel's tests: the repository root, the conformance
vectors, and turning Python results back into the wire format to compare them."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from decimal import Decimal
from typing import Any, Dict, List

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
VECTORS = ROOT / "tests" / "vectors"


def load_vectors() -> List[Dict[str, Any]]:
    """Every vector of every tests/vectors/*.json, read at test time."""
    out: List[Dict[str, Any]] = []
    for path in sorted(VECTORS.glob("*.json")):
        for vector in json.loads(path.read_text(encoding="utf-8")):
            vector["_file"] = path.name
            out.append(vector)
    return out


def rfc3339(t: dt.datetime) -> str:
    """The core's RFC 3339 spelling: UTC, `Z`, only as many fractional digits as needed."""
    t = t.astimezone(dt.timezone.utc)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        text += "." + f"{t.microsecond:06d}".rstrip("0")
    return text + "Z"


def wire(value: Any) -> Any:
    """A Python result (Decimals, datetimes) in the wire format (strings keeping the scale)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return rfc3339(value)
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [wire(v) for v in value]
    return value


def mismatches(expected: Any, actual: Any, path: str = "") -> List[str]:
    """tests/vectors/README.md's matching: objects by subset, arrays by length, scalars equal."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        out: List[str] = []
        for k, v in expected.items():
            if k not in actual:
                out.append(f"{path}.{k}: missing (expected {v!r})")
            else:
                out.extend(mismatches(v, actual[k], f"{path}.{k}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(mismatches(e, a, f"{path}[{i}]"))
        return out
    # JSON equality: 1 == 1.0 but True != 1.
    if type(expected) is bool or type(actual) is bool:
        ok = type(expected) is type(actual) and expected == actual
    else:
        ok = expected == actual
    return [] if ok else [f"{path}: expected {expected!r}, got {actual!r}"]


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def tutorial_catalog() -> Dict[str, Any]:
    result: Dict[str, Any] = json.loads((ROOT / "examples" / "tutorial-catalog.json").read_text())
    return result
