"""Shared fixtures: the real trained test model and a real action server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.paths import PROJECT_ROOT, SHARED
from bot.runtime.processes import ActionServer, action_server
from bot.runtime.test_model import ensure_test_model
from tests.contract_hub import ContractHub, contract_hub

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.fixture(scope="session")
def domain_dict() -> dict[str, Any]:
    """The domain as Rasa sends it to the action server (responses merged from data/)."""
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain.yml"), [str(PROJECT_ROOT / "data")]
    )
    return importer.get_domain().as_dict()


@pytest.fixture(scope="session")
def catalogue() -> list[dict[str, Any]]:
    """The FAQ catalogue (../shared/faq-catalog.yml)."""
    path = SHARED / "faq-catalog.yml"
    return list(yaml.safe_load(path.read_text("utf-8")))


@pytest.fixture(scope="session")
def test_model() -> Path:
    """The project trained with few epochs (retrained only when something changed)."""
    return ensure_test_model()


@pytest.fixture(scope="session")
def hub() -> Iterator[ContractHub]:
    """A hub speaking the handoff contract, for the whole session."""
    with contract_hub() as running:
        yield running


@pytest.fixture()
def queued_hub(hub: ContractHub) -> ContractHub:
    """The hub queues the visitor."""
    hub.answer = {"status": "queued", "queue": "generell", "position": 2, "estimated_wait_minutes": 4}
    hub.status = 200
    hub.received.clear()
    return hub


@pytest.fixture(scope="session")
def actions(hub: ContractHub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    """A real action server (bot/runtime/action_server.py) that hands off to `hub`."""
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    with action_server(env={"HUB_URL": hub.url, "HUB_BOT_SECRET": hub.secret}, log=log) as running:
        yield running
