"""What the vector generators share: write their files, or check that they are what would be written.

    write_or_check({path: text, ...}, "scripts/gen-....py")   # main()'s return value
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parent.parent


def write_or_check(files: Dict[Path, str], script: str) -> int:
    """With --check, 1 (and a line saying which) when a file differs from its text; else writes them."""
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
