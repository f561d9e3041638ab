#!/usr/bin/env bash
# Every test of the project, in its own environment, with one summary at the end:
# lint and types, the masking of personal numbers (navpii), the bot (NLU, actions,
# data, Rasa stories; trains the test model if needed), the hub (SQLite and
# PostgreSQL, real HTTP/WebSocket, real Rasa),
# and the browser tests (e2e/: Debian's Chromium through Playwright).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore
RESULTS="$ROOT/.cache/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
status=0

step() { echo; echo "=== $1"; }

step "lint and types"
BOT_PY="bot actions tests bench/nlu_ablation.py bench/nlu_speed.py bench/threshold_sweep.py bench/seeds.py bench/language_detection.py"
.venv/bot/bin/ruff check $BOT_PY || status=1
.venv/bot/bin/ruff format --check $BOT_PY || status=1
.venv/bot/bin/mypy || status=1
# The bot's layers and no import cycles (contracts in pyproject.toml, [tool.importlinter]).
.venv/bot/bin/lint-imports || status=1
.venv/hub/bin/ruff check handoff/src handoff/tests e2e bench/hub_bench.py bench/boost_bench.py bench/publish_bench.py bench/cluster_bench.py || status=1
.venv/hub/bin/ruff format --check handoff/src handoff/tests e2e bench/hub_bench.py bench/boost_bench.py bench/publish_bench.py bench/cluster_bench.py || status=1
.venv/hub/bin/mypy handoff/src/hub || status=1
# The hub's layers and pure rules (contracts in handoff/pyproject.toml, [tool.importlinter]).
.venv/hub/bin/lint-imports --config handoff/pyproject.toml || status=1
# navpii (packages/navpii) has its own ruff and mypy settings in its pyproject.toml.
.venv/hub/bin/ruff check packages/navpii || status=1
.venv/hub/bin/ruff format --check packages/navpii || status=1
(cd packages/navpii && "$ROOT/.venv/hub/bin/mypy") || status=1
# The front-end (handoff/web; node_modules from scripts/setup_web.sh): ESLint, tsc, unit tests.
(cd handoff/web && npm run --silent lint) || status=1
(cd handoff/web && npm run --silent typecheck) || status=1
(cd handoff/web && npm test --silent) || status=1

step "test model (trained only if data, config or NLU code changed)"
.venv/bot/bin/python -m bot.runtime.test_model || status=1

step "bot: NLU, actions, content, Rasa stories"
.venv/bot/bin/pytest tests -q --junitxml="$RESULTS/bot.xml" || status=1

step "navpii: masking of personal numbers (tables and Hypothesis properties)"
.venv/hub/bin/pytest packages/navpii/tests -q --junitxml="$RESULTS/navpii.xml" || status=1

step "hub: services on SQLite and PostgreSQL, HTTP, WebSocket, real Rasa"
.venv/hub/bin/pytest handoff/tests -q --ignore=handoff/tests/test_cluster.py --junitxml="$RESULTS/hub.xml" || status=1

step "cluster: 2 hubs and 2 Rasa instances behind nginx on PostgreSQL and Redis (make run-cluster)"
.venv/hub/bin/pytest handoff/tests/test_cluster.py -q --junitxml="$RESULTS/cluster.xml" || status=1

step "browser: widget, console, accessibility (e2e/, in the hub's environment)"
# Screenshots go to .cache/screenshots; `make screenshots` refreshes docs/screenshots.
(cd e2e && "$ROOT/.venv/hub/bin/pytest" -q --junitxml="$RESULTS/e2e.xml") || status=1

echo
python3 - "$RESULTS" <<'PY'
import sys, pathlib, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.xml")):
    for suite in ET.parse(path).getroot().iter("testsuite"):
        total, f, e, s = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        passed += total - f - e - s; failed += f + e; skipped += s
        print(f"  {path.stem:>4}: {total - f - e - s} passed, {f + e} failed, {s} skipped")
print(f"all: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
