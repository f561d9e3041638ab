"""The checks the whole content must pass before a model is trained and published.

Used by `make publish` and by the editors' publish button. Each result says in Norwegian
what was checked, for editors.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.content import rules
from bot.content.store import FaqStore, load_catalogue
from bot.paths import PROJECT_ROOT, RASA, SHARED, code_env
from bot.release.pipeline import CheckResult


def _run(what: str, command: list[str], root: Path) -> CheckResult:
    env = code_env({"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"})
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    return CheckResult(done.returncode == 0, what, (done.stdout + done.stderr)[-3000:])


def catalogue_check(store: FaqStore) -> CheckResult:
    """Every catalogue entry has its examples and answer, and each follows the rules."""
    what = "Hvert svar i katalogen finnes, på norsk og engelsk, har lenken og minst 15 eksempler"
    entries = {e.id: e for e in store.entries()}
    owners = store.example_owners()
    catalogue = load_catalogue(store.catalogue_path)
    known = [c.link for c in catalogue.values()]  # read once, not once per entry
    lines = []
    for catalogue_id in catalogue:
        entry = entries.get(catalogue_id)
        if entry is None:
            lines.append(f"{catalogue_id}: mangler i data/faq/")
            continue
        link = entry.catalogue.link if entry.catalogue else ""
        found = store.problems(entry, entry.answer, entry.examples, owners, known)
        found += rules.english_answer_problems(entry.answer_en, link, known)
        lines += [f"{entry.id}: {p.message}" for p in found]
    return CheckResult(not lines, what, "\n".join(lines))


def check_content(
    root: Path = PROJECT_ROOT, shared: Path = SHARED, texts_only: bool = False
) -> list[CheckResult]:
    """Rasa's own validation, the catalogue rules, and the leak check, on `root`'s content.

    `texts_only` (nothing a model depends on changed): the catalogue rules alone, which
    check every answer's text (link, length, personal numbers, plain language); the
    examples, intents and stories that the other two check are as published.
    """
    store = FaqStore.for_project(root, shared)
    if texts_only:
        return [catalogue_check(store)]
    return [
        _run(
            "Rasa-dataene henger sammen (rasa data validate)",
            [RASA, "data", "validate", "--fail-on-warnings"],
            root,
        ),
        catalogue_check(store),
        _run(
            "Ingen setning fra testsettene er brukt som eksempel",
            [sys.executable, str(shared / "tools" / "eval_leak_check.py"), str(root)],
            root,
        ),
    ]
