"""Record the original SDK's answers to ``tests/logic_cases.py`` into ``tests/fixtures/logic_answers.json``.

Needs the original: ``pip install -e ".[parity]" && pip install --no-deps sktmls==2026.10.7``.

    python scripts/record_logic_answers.py           # write the fixture
    python scripts/record_logic_answers.py --check   # fail if the fixture differs from the original now
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "logic_answers.json"


def describe(value: Any) -> dict[str, str]:
    """An answer as comparable text: its type and its repr."""
    return {"type": type(value).__name__, "repr": repr(value)}


def original_answers() -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    from sktmls.utils.logic import LogicProcessor

    from tests.logic_cases import CASES

    processor = LogicProcessor()
    answers = []
    for logic, data in CASES:
        try:
            answer: dict[str, Any] = describe(processor.apply(logic, dict(data)))
        except Exception as exc:  # noqa: BLE001 - an error is the answer
            answer = {"error": type(exc).__name__}
        answers.append({"logic": repr(logic), **answer})
    return answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    answers = original_answers()
    text = json.dumps(answers, indent=1, ensure_ascii=False) + "\n"
    if args.check:
        if not FIXTURE.exists() or FIXTURE.read_text() != text:
            print(f"{FIXTURE.relative_to(ROOT)} differs from the original's answers; rerun without --check")
            return 1
        print(f"{FIXTURE.relative_to(ROOT)}: {len(answers)} answers match the original")
        return 0
    FIXTURE.write_text(text)
    print(f"wrote {len(answers)} answers to {FIXTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
