"""What ``ratecard.spark`` and ``ratecard.dask`` share: the catalog as text (it travels to the
workers with the task, not as an Engine, which does not pickle) and one Engine per worker
process and catalog, built on the first partition it prices."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from typing import Any, Dict, Mapping

from . import Engine

_ENGINES: Dict[str, Engine] = {}
_LOCK = threading.Lock()

# quote_frame's keywords that a distributed quote passes on to each partition.
OPTIONS = ("express_in", "at", "products", "prior_usage", "now", "errors")


def catalog_text(catalog: Any) -> str:
    """A catalog (a dict, JSON text or bytes, or a path to a JSON file) as JSON text."""
    if isinstance(catalog, Mapping):
        return json.dumps(catalog)
    if isinstance(catalog, (bytes, bytearray)):
        return bytes(catalog).decode("utf-8")
    if isinstance(catalog, os.PathLike):
        with open(catalog, encoding="utf-8") as f:
            return f.read()
    if isinstance(catalog, str):
        return catalog
    raise TypeError(f"catalog is a dict, JSON text or a path, not {type(catalog).__name__}")


def engine(text: str) -> Engine:
    """This process's Engine for a catalog's text, built once."""
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with _LOCK:
        found = _ENGINES.get(key)
        if found is None:
            found = _ENGINES[key] = Engine(text)
        return found


def options(given: Mapping[str, Any]) -> Dict[str, Any]:
    """The keywords, checked: only quote_frame's that make sense on a partition."""
    unknown = sorted(set(given) - set(OPTIONS))
    if unknown:
        raise TypeError(f"unexpected keyword {unknown[0]!r}; a distributed quote takes {', '.join(OPTIONS)}")
    return dict(given)
