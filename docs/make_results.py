"""Render the README's results tables from docs/results.json, the one results file.

    python docs/make_results.py            # rewrite the tables between the README's markers
    python docs/make_results.py --check    # exit 1 if the README's tables differ from the file

Each table sits between ``<!-- results:start TABLE -->`` and
``<!-- results:end -->``, where TABLE is a key of :data:`TABLES` and each
row of the file names its table. ``benchmarks/quality.py --record`` writes a
measured row with :func:`record`; the tables are then rendered again here,
so a number is typed once, by the run that measured it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "results.json"
README = ROOT / "README.md"

# column heading, score key, format (None: the training time)
TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "photo-to-sketch": (("FSIM", "fsim", ".3f"), ("SSIM", "ssim", ".3f"), ("PSNR (dB)", "psnr", ".2f"),
                        ("L1", "l1", ".3f"), ("rank-1", "rank1", ".2f"), ("sharpness", "sharpness", ".2f"),
                        ("training", "train_seconds", ".0f")),
    "sketch-to-photo": (("FSIM", "fsim", ".3f"), ("SSIM", "ssim", ".3f"), ("PSNR (dB)", "psnr", ".2f"),
                        ("L1", "l1", ".3f")),
}
BLOCK = re.compile(r"(<!-- results:start (\S+) -->\n)(.*?)(<!-- results:end -->)", re.S)


def load(path: Path = RESULTS) -> dict:
    """The results file: ``{"about": ..., "rows": [row, ...]}``."""
    return json.loads(Path(path).read_text())


def record(row: dict, path: Path = RESULTS, after: str | None = None) -> None:
    """Put ``row`` in the file in place of the row with its ``key`` (if new:
    after the row keyed ``after``, else at the end), keeping every other row;
    written atomically, so an interrupted write leaves the old file whole."""
    from sketchlab.files import atomic_write

    results = load(path)
    rows = results["rows"]
    keys = [old["key"] for old in rows]
    if row["key"] in keys:
        rows[keys.index(row["key"])] = row
    else:
        rows.insert(keys.index(after) + 1 if after in keys else len(rows), row)
    with atomic_write(path) as tmp:
        tmp.write_text(json.dumps(results, indent=2) + "\n")


def _cell(row: dict, key: str, fmt: str) -> str:
    value = row.get(key) if key == "train_seconds" else row["scores"].get(key)
    if value is None:
        return ""
    if row["status"] == "published":
        return str(value)  # as published, to its own precision
    return f"{value:{fmt}} s" if key == "train_seconds" else f"{value:{fmt}}"


def render_table(results: dict, table: str) -> str:
    """One markdown table: a line per row of ``table``, in the file's order."""
    columns = TABLES[table]
    lines = ["| model | " + " | ".join(heading for heading, _, _ in columns) + " |",
             "|---" * (len(columns) + 1) + "|"]
    for row in results["rows"]:
        if row["table"] == table:
            cells = [row["label"], *(_cell(row, key, fmt) for _, key, fmt in columns)]
            lines.append("|" + "|".join(f" {c} " if c else " " for c in cells) + "|")
    return "\n".join(lines) + "\n"


def render(text: str, results: dict) -> str:
    """``text`` with every marked table rendered from ``results``. A blank line
    ends each table before its end marker (a markdown table would otherwise
    take the marker as one more row)."""
    return BLOCK.sub(lambda m: m[1] + render_table(results, m[2]) + "\n" + m[4], text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if the README is out of date")
    args = parser.parse_args()
    text = README.read_text()
    new = render(text, load())
    if args.check:
        print("README.md's results tables match docs/results.json" if new == text
              else "README.md's results tables differ from docs/results.json: run python docs/make_results.py")
        return int(new != text)
    if new != text:
        README.write_text(new)
    print(f"README.md: {len(BLOCK.findall(new))} results tables rendered from docs/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
