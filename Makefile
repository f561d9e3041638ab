# The front door. `make run` starts everything; `make test` runs every test.
# Each target installs what is missing first.
.PHONY: setup setup-bot setup-hub setup-web setup-cluster train test-model publish run run-cluster test screenshots eval norsid bench bench-nlu clean

setup: setup-bot setup-hub setup-web setup-cluster

setup-bot:
	@bash scripts/setup_bot.sh

setup-hub:
	@bash handoff/scripts/setup.sh

setup-web:
	@bash scripts/setup_web.sh

setup-cluster:
	@bash scripts/setup_cluster.sh

train: setup-bot
	@.venv/bot/bin/python -m bot.runtime.training

publish: setup-bot
	@.venv/bot/bin/python -m bot.publish

test-model: setup-bot
	@.venv/bot/bin/python -m bot.runtime.test_model

run: setup train
	@bash scripts/run.sh

# The same as a cluster: 2 hubs, 2 Rasa instances (+ action and NLG servers) behind nginx,
# on PostgreSQL and Redis (deploy/README.md).
run-cluster: setup train
	@bash scripts/run_cluster.sh

test: setup
	@bash scripts/test.sh

# The browser tests, writing their screenshots into docs/screenshots (`make test` keeps them
# in .cache/screenshots, so it leaves the work tree clean).
screenshots: setup test-model
	@cd e2e && E2E_SCREENSHOTS="$(CURDIR)/docs/screenshots" ../.venv/hub/bin/pytest -q

# Measurements (not tests): scores on the dev set, the NorSID benchmark, speed.
eval: train
	@.venv/bot/bin/python -m bot.evaluate --cases ../shared/eval/dev.yml --model models/nav.tar.gz \
		--json docs/results/dev.json --confusion docs/results/confusion-dev.png
	@.venv/bot/bin/python -m bot.evaluate --cases eval/own.yml --cases eval/acute.yml --model models/nav.tar.gz \
		--json docs/results/own.json

norsid: setup-bot
	@.venv/bot/bin/python -m bot.benchmarks.norsid --out docs/results/norsid.json

bench-nlu: train
	@.venv/bot/bin/python bench/nlu_speed.py --train --out docs/results/nlu-speed.json

bench: setup test-model
	@.venv/hub/bin/python bench/hub_bench.py

clean:
	rm -rf .cache models/*.tar.gz
