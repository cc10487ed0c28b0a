#!/usr/bin/env python3
"""Runs every code snippet of the READMEs and compares what it prints with what the README shows.

A README claims an output with a `→` comment at the end of a line (`// → "⭐ 60 CR"` in
JavaScript and Rust, `# → 1.50 30` in Python):
- on a line that prints (`console.log`, `print`, `println!`), the printed line;
- on an expression (`engine.format(...)`), its value: `JSON.stringify` in JavaScript, `repr`
  in Python;
- on an assignment (`const quote = ...`, `q = ...`), the assigned value, the same way.
A snippet's whole output must be exactly those lines, in order: a print without a claim fails.

How each language runs (in a scratch folder holding the bundled examples as `catalog.json`,
`events.json`, `examples/`, `config/catalog.json` and `catalogs/*.json`):
- `js`: as an ES module with Node, `@ratecard/wasm` and `@ratecard/node` resolved to the built
  packages; names a snippet uses without defining (`catalog`, `events`, `job`, `wallet`, `label`) are
  the bundled catalog, its events, their first, the bundled wallet, and a stand-in DOM node. A bundler's JSON import
  (`import catalog from "./catalog.json"`) is read as the bundler would. A block that starts
  `// vite.config.js` is imported where Vite is installed and must export a config.
- `python`: with the test venv's Python (the wheel installed); `df` is a frame of the events.
- `rust`: compiled as the body of a `main` returning `Result`, against the core crate.
- `sh` (and a YAML CI step's `run:` lines): `ratecard ...` and `npx ratecard-check ...` run (exit
  0 expected); install and build lines (`bash scripts/...`, `just ...`, `cargo install --path
  ...`, `pip install ...`, `npm ...`) are the test run's own steps, checked to name scripts,
  recipes and paths that exist.
`text` blocks are output, not code.

    python3 scripts/test-snippets.py [--python PATH] [FILE.md ...]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
FILES = ["README.md", "packages/wasm/README.md", "packages/node/README.md", "packages/js/README.md",
         "bindings/python/README.md"]
CLAIM = re.compile(r"^(?P<code>.*?)\s*(?://|#)\s*→\s*(?P<out>.*?)\s*$")


def blocks(path: Path) -> List[Tuple[str, int, List[str]]]:
    out = []
    lang: Optional[str] = None
    body: List[str] = []
    start = 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            if lang is None:
                lang, body, start = line[3:].strip() or "text", [], n + 1
            else:
                out.append((lang, start, body))
                lang = None
        elif lang is not None:
            body.append(line)
    return out


def claims(lines: List[str], kind: str) -> Tuple[List[str], List[str]]:
    """The lines instrumented to print each claimed value, and the claimed outputs in order."""
    out, expected = [], []
    for line in lines:
        m = CLAIM.match(line)
        if not m:
            out.append(line)
            continue
        if not m.group("code").strip():
            # A claim on a line of its own: what the print above it prints.
            expected.append(m.group("out"))
            out.append(line)
            continue
        code, claim = m.group("code"), m.group("out")
        indent = code[: len(code) - len(code.lstrip())]
        stripped = code.strip().rstrip(";")
        expected.append(claim)
        printing = {"js": "console.log(", "python": "print(", "rust": "println!("}[kind]
        if printing in stripped:
            out.append(code)
            continue
        assign = re.match(r"^(?:const|let|var)\s+(\w+)\s*=" if kind == "js" else r"^(\w+)\s*=[^=]", stripped)
        if kind == "js":
            show = (lambda v: f"console.log(JSON.stringify({v}));")
            out.append(code if assign else "")
            out.append(indent + show(assign.group(1) if assign else stripped))
        else:
            out.append(code if assign else "")
            out.append(indent + f"print(repr({assign.group(1) if assign else stripped}))")
    return out, expected


def compare(where: str, expected: List[str], stdout: str, stderr: str, code: int) -> List[str]:
    got = stdout.splitlines()
    if code != 0:
        return [f"{where}: exit {code}\n{stderr}{stdout}"]
    if got != expected:
        lines = "\n".join(f"    README: {e!r}\n    prints: {g!r}" for e, g in zip(expected + [""] * len(got), got + [""] * len(expected)) if e != g)
        return [f"{where}: the output differs from the README's claims\n{lines}"]
    return []


def scratch() -> Path:
    d = Path(tempfile.mkdtemp(prefix="ratecard-snippets-"))
    shutil.copy(ROOT / "examples" / "catalog.json", d / "catalog.json")
    shutil.copy(ROOT / "examples" / "events.json", d / "events.json")
    (d / "examples").symlink_to(ROOT / "examples")
    for sub in ("config", "catalogs"):
        (d / sub).mkdir()
    shutil.copy(ROOT / "examples" / "catalog.json", d / "config" / "catalog.json")
    for name in ("catalog.json", "tutorial-catalog.json"):
        shutil.copy(ROOT / "examples" / name, d / "catalogs" / name)
    modules = d / "node_modules" / "@ratecard"
    modules.mkdir(parents=True)
    (modules / "wasm").symlink_to(ROOT / "packages" / "wasm")
    (modules / "node").symlink_to(ROOT / "packages" / "node")
    return d


def run_js(where: str, lines: List[str], d: Path) -> List[str]:
    if lines and lines[0].strip() == "// vite.config.js":
        target = ROOT / "examples" / "vite" / ".snippet.vite.config.mjs"
        if not (target.parent / "node_modules" / "vite").exists():
            subprocess.run(["npm", "ci", "--no-fund", "--no-audit", "--loglevel=error"], cwd=target.parent, check=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            check = "import('./.snippet.vite.config.mjs').then((m) => { if (typeof m.default !== 'object') process.exit(3) })"
            r = subprocess.run(["node", "-e", check], cwd=target.parent, capture_output=True, text=True)
        finally:
            target.unlink()
        return [] if r.returncode == 0 else [f"{where}: the config does not load\n{r.stderr}"]
    body, expected = claims(lines, "js")
    text = "\n".join(body)
    text = re.sub(r'^import (\w+) from "\./([\w.-]+\.json)(\?raw)?";',
                  lambda m: f'const {m.group(1)} = {"" if m.group(3) else "JSON.parse("}__fs.readFileSync("{m.group(2)}", "utf8"){"" if m.group(3) else ")"};',
                  text, flags=re.M)
    pre = ['import * as __fs from "node:fs";', 'import { createRequire as __cr } from "node:module";']
    def defined(name: str) -> bool:
        declared = rf"(?:const|let|var)\s+(?:\{{[^}}]*\b{name}\b[^}}]*\}}|\[[^\]]*\b{name}\b[^\]]*\]|{name}\b)\s*="
        imported = rf"import\s+(?:{name}\b|\{{[^}}]*\b{name}\b[^}}]*\}})[^;\n]*from"
        return re.search(declared, text) is not None or re.search(imported, text) is not None
    if "require(" in text and not defined("require"):
        pre.append("const require = __cr(import.meta.url);")
    given = {"catalog": 'JSON.parse(__fs.readFileSync("catalog.json", "utf8"))',
             "events": 'JSON.parse(__fs.readFileSync("events.json", "utf8"))',
             "job": 'JSON.parse(__fs.readFileSync("events.json", "utf8"))[0]',
             "wallet": 'JSON.parse(__fs.readFileSync("examples/wallet.json", "utf8"))',
             "label": "{ textContent: '' }"}
    for name, value in given.items():
        if re.search(rf"\b{name}\b", text) and not defined(name):
            pre.append(f"const {name} = {value};")
    file = d / f"snippet-{abs(hash(where))}.mjs"
    file.write_text("\n".join(pre + [text]) + "\n", encoding="utf-8")
    r = subprocess.run(["node", str(file)], cwd=d, capture_output=True, text=True)
    return compare(where, expected, r.stdout, r.stderr, r.returncode)


def run_python(where: str, lines: List[str], d: Path, python: str) -> List[str]:
    body, expected = claims(lines, "python")
    text = "\n".join(body)
    pre = []
    if re.search(r"\bdf\b", text) and not re.search(r"^df\s*=", text, re.M):
        pre += ["import json as __json, pandas as __pd",
                "df = __pd.DataFrame([{'event_type': e['event_type'], 'occurred_at': e.get('occurred_at'), **(e.get('data') or {})}"
                " for e in __json.load(open('events.json'))])"]
    if "engine" in text and not re.search(r"^engine\s*=", text, re.M):
        pre += ["import ratecard as __rc, pathlib as __pl", "engine = __rc.Engine(__pl.Path('catalog.json'))"]
    if "ratecard." in text and not re.search(r"^import .*\bratecard\b", text, re.M):
        pre += ["import ratecard"]
    if re.search(r"\bcatalog\b", text) and not re.search(r"^catalog\s*=", text, re.M):
        pre += ["import json as __json2", "catalog = __json2.load(open('catalog.json'))"]
    file = d / f"snippet-{abs(hash(where))}.py"
    file.write_text("\n".join(pre + [text]) + "\n", encoding="utf-8")
    r = subprocess.run([python, str(file)], cwd=d, capture_output=True, text=True)
    return compare(where, expected, r.stdout, r.stderr, r.returncode)


def run_rust(where: str, lines: List[str], d: Path) -> List[str]:
    body, expected = claims(lines, "rust")
    uses = [line for line in body if line.startswith("use ")]
    rest = [line for line in body if not line.startswith("use ")]
    project = ROOT / "target" / "snippets" / "rust"
    (project / "src").mkdir(parents=True, exist_ok=True)
    (project / "Cargo.toml").write_text(
        '[package]\nname = "snippet"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\nratecard = {{ path = {json.dumps(str(ROOT / "core"))} }}\n\n[workspace]\n', encoding="utf-8")
    main = uses + ["", "fn main() -> Result<(), Box<dyn std::error::Error>> {"] + ["    " + x for x in rest] + ["    Ok(())", "}"]
    (project / "src" / "main.rs").write_text("\n".join(main) + "\n", encoding="utf-8")
    env = dict(os.environ, CARGO_TARGET_DIR=str(ROOT / "target" / "snippets" / "target"))
    build = subprocess.run(["cargo", "build", "--quiet", "--manifest-path", str(project / "Cargo.toml")],
                           capture_output=True, text=True, env=env)
    if build.returncode != 0:
        return [f"{where}: does not compile\n{build.stderr}"]
    r = subprocess.run([str(ROOT / "target" / "snippets" / "target" / "debug" / "snippet")], cwd=d, capture_output=True, text=True)
    return compare(where, expected, r.stdout, r.stderr, r.returncode)


def recipes() -> List[str]:
    return re.findall(r"^([a-z][\w-]*)(?:\s+[A-Z\w=\"]*)*:", (ROOT / "justfile").read_text(), re.M)


def run_sh(where: str, lines: List[str], d: Path, bindir: Path) -> List[str]:
    problems = []
    for raw in lines:
        line = re.sub(r"\s{2,}#.*$", "", raw).strip()
        line = re.sub(r"^-\s*run:\s*", "", line)
        if not line or line.startswith("#"):
            continue
        for part in [p.strip() for p in line.split("&&")]:
            words = [w for w in part.split() if "=" not in w or w.startswith("-")]
            if words[0] in ("ratecard", "npx"):
                r = subprocess.run(["bash", "-c", part], cwd=d, capture_output=True, text=True,
                                   env=dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}"))
                if r.returncode != 0:
                    problems.append(f"{where}: `{part}` exits {r.returncode}\n{r.stderr}")
            elif words[0] == "just":
                if words[1] not in recipes():
                    problems.append(f"{where}: just has no recipe {words[1]}")
            elif words[0] in ("bash", "node", "cargo", "pip", "npm", "python3") or words[0].startswith("scripts/"):
                # The test run's own steps: every repository path they name must exist.
                for w in words:
                    path = w.split("=", 1)[-1]
                    if "/" in path and not path.startswith(("-", "http")) and "*" not in path and "$" not in path:
                        if not (ROOT / path).exists():
                            problems.append(f"{where}: `{part}` names {path}, which does not exist")
            else:
                problems.append(f"{where}: `{part}`: no rule to run or check this line (scripts/test-snippets.py)")
    return problems


def main() -> int:
    args = sys.argv[1:]
    python = sys.executable
    if "--python" in args:
        i = args.index("--python")
        python = str(Path(args[i + 1]).absolute())
        del args[i:i + 2]
    files = args or FILES
    cli = ROOT / "target" / "debug" / "ratecard"
    subprocess.run(["cargo", "build", "--quiet", "-p", "ratecard-cli"], cwd=ROOT, check=True)
    d = scratch()
    bindir = d / "bin"
    bindir.mkdir()
    (bindir / "ratecard").symlink_to(cli)
    npx = bindir / "npx"
    npx.write_text(f'#!/usr/bin/env bash\n[ "$1" = ratecard-check ] || exit 9\nshift\nexec node {ROOT}/packages/node/bin/ratecard-check.js "$@"\n')
    npx.chmod(0o755)
    problems: List[str] = []
    ran = 0
    try:
        for name in files:
            for lang, line, body in blocks(ROOT / name):
                where = f"{name}:{line}"
                if lang in ("js", "javascript"):
                    problems += run_js(where, body, d)
                elif lang == "python":
                    problems += run_python(where, body, d, python)
                elif lang == "rust":
                    problems += run_rust(where, body, d)
                elif lang in ("sh", "bash", "yaml"):
                    problems += run_sh(where, body, d, bindir)
                elif lang == "text":
                    continue
                else:
                    problems.append(f"{where}: a ```{lang} block: no rule to run it")
                ran += 1
    finally:
        shutil.rmtree(d, ignore_errors=True)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"[test-snippets] {ran} snippets, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
