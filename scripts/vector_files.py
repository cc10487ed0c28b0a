"""What the vector generators share: write their files, or check that they are what would be written.

    write_or_check(vectors, {path: json_value, ...}, "scripts/gen-....py")   # main()'s return value
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent


def write_or_check(vectors: List[Dict[str, Any]], files: Dict[Path, Any], script: str) -> int:
    """`files` maps each path to the JSON value it holds. With --check, 1 (and a line saying
    which) when a file differs from what would be written; else writes them. Vector names must
    be unique."""
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    files = {path: json.dumps(value, indent=1, ensure_ascii=False) + "\n" for path, value in files.items()}
    if "--check" in sys.argv:
        for path, text in files.items():
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path.relative_to(ROOT)} is stale: run python3 {script}", file=sys.stderr)
                return 1
        return 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0
