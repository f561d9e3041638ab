"""A copy of the project's content to change, so tests never touch data/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.store import FaqStore, evaluation_keys
from bot.paths import PROJECT_ROOT, SHARED


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("config.yml", "domain.yml"):
        shutil.copy(PROJECT_ROOT / name, target / name)
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    return target


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def evaluation() -> frozenset[str]:
    return evaluation_keys(SHARED, PROJECT_ROOT)


@pytest.fixture()
def store(project: Path, evaluation: frozenset[str]) -> FaqStore:
    return FaqStore.for_project(project, SHARED, evaluation)
