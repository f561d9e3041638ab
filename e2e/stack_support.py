"""Start the whole system for the browser tests, with the hub engineer's helpers (handoff/tests/stack.py).

Rasa needs a trained model: ``.cache/test-model/test.tar.gz`` (or HUB_TEST_MODEL). If there is
none, one is trained from the repository's data first (a few minutes on two cores).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import DIST, ROOT, Site

from tests import stack  # the hub's test helpers, handoff/tests (pytest.ini: pythonpath = ../handoff)

ADVISOR_USER = "kari"
ADVISOR_NAME = "Kari"
EDITOR_USER = "redaktor"
ADVISOR_PASSWORD = "veileder-kari-" + secrets.token_hex(4)


def _model() -> Path:
    found = stack.model_path()
    if found is not None:
        return Path(found)
    target = Path(os.environ.get("HUB_TEST_MODEL", ROOT / ".cache" / "test-model" / "test.tar.gz"))
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"\n[e2e] no trained model at {target}: training one (rasa train) …", flush=True)
    started = time.monotonic()
    subprocess.run(
        [str(stack.BOT_VENV / "bin" / "rasa"), "train", "--fixed-model-name", target.name.removesuffix(".tar.gz"),
         "--out", str(target.parent)],
        cwd=ROOT, check=True,
    )  # fmt: skip
    print(f"[e2e] model trained in {time.monotonic() - started:.0f} s", flush=True)
    return target


def _create_account(database_url: str, user: str, name: str, role: str) -> None:
    subprocess.run(
        [str(stack.HUB_VENV / "bin" / "hub"), "advisor", "create", "--username", user,
         "--name", name, "--max-chats", "5", "--password-stdin", "--role", role],
        input=ADVISOR_PASSWORD + "\n", text=True, check=True, cwd=ROOT, capture_output=True,
        env={**os.environ, "HUB_DATABASE_URL": database_url},
    )  # fmt: skip


def _content_copy(tmp: Path) -> tuple[Path, Path]:
    """A copy of the project's content for the editors' tests, and a quick training config."""
    root = stack.copy_content(tmp / "content")
    config = tmp / "content-config.yml"
    capped = subprocess.run(
        [str(stack.BOT_VENV / "bin" / "python"), "-c",
         "from bot.runtime.test_model import TEST_EPOCHS; from bot.runtime.training import capped_config; "
         "print(capped_config(TEST_EPOCHS), end='')"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    config.write_text(capped.stdout, "utf-8")
    return root, config


@contextmanager
def running_stack() -> Iterator[Site]:
    model = _model()
    tmp = Path(tempfile.mkdtemp(prefix="e2e-hub-"))
    database_url = f"sqlite:///{tmp / 'hub.db'}"
    _create_account(database_url, ADVISOR_USER, ADVISOR_NAME, "advisor")
    _create_account(database_url, EDITOR_USER, "Redaktør", "editor")
    _create_account(database_url, "sjef", "Sjef", "leder")
    for user, name in Site.more_advisors:
        _create_account(database_url, user, name, "advisor")
    bot_secret = secrets.token_urlsafe(16)
    hub_port = stack.free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    embed_origin = f"http://127.0.0.1:{stack.free_port()}"  # same host, another port: another origin
    # Editors change a copy of the content; publishing trains it and loads it into this Rasa.
    # As with `make run`, Rasa starts the copy's models/nav.tar.gz: the model a publish is
    # measured against.
    content_root, content_config = _content_copy(tmp)
    published = content_root / "models" / "nav.tar.gz"
    published.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(model, published)
    # The test model was trained from this content (the copy) with this config: recorded
    # as the published model's, with the content's texts live (as `make run` does).
    subprocess.run(
        [str(stack.BOT_VENV / "bin" / "python"), "-m", "bot.release.stamp", "--root", str(content_root),
         "--config", str(content_config), "--model", str(published)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    texts = published.with_name("nav.texts.json")
    rasa = stack.start_rasa_stack(published, hub_url=hub_url, bot_secret=bot_secret, texts=texts)
    hub = content = None
    try:
        content_token = secrets.token_urlsafe(16)
        content = stack.start_content_service(
            content_root, token=content_token, rasa_url=rasa.rasa_url, config=content_config
        )
        hub = stack.start_hub(
            port=hub_port,
            database_url=database_url,
            rasa_url=rasa.rasa_url,
            bot_secret=bot_secret,
            env={
                "HUB_ALWAYS_OPEN": "true",
                "HUB_WEB_DIR": str(DIST),
                "HUB_ALLOWED_ORIGINS": embed_origin,
                "HUB_CONTENT_URL": content.url,
                "HUB_CONTENT_TOKEN": content_token,
                # The console's catch-up after a lost message event waits for the next
                # `chats` frame (test_console_catch_up.py): every 3 s, not every 15.
                "HUB_WS_POLL_SECONDS": "3",
            },
        )
        yield Site(
            hub.url, ADVISOR_USER, ADVISOR_PASSWORD, ADVISOR_NAME, embed_origin, EDITOR_USER, content_root,
            database_path=tmp / "hub.db", rasa_url=rasa.rasa_url,
        )  # fmt: skip
    finally:
        if hub is not None:
            hub.stop()
        if content is not None:
            content.stop()
        rasa.stop()
