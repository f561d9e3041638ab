"""A release names every Rasa instance (`RASA_URLS`): the list is read one way everywhere,
and with none of them answering the gated model waits for their next start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.release.messages import NOT_RUNNING
from bot.release.pipeline import install
from bot.release.rasa_api import Drain, Outcome, instances, load_each, running_model_ids
from bot.release.stamp import Stamp
from bot.runtime.processes import free_port


def test_rasa_urls_are_read_from_one_url_a_list_or_a_comma_separated_string() -> None:
    assert instances("http://a:5005") == ("http://a:5005",)
    assert instances("http://a:5005/, http://b:5005 ,http://a:5005") == ("http://a:5005", "http://b:5005")
    assert instances(["http://a:5005", " http://b:5005/"]) == ("http://a:5005", "http://b:5005")
    with pytest.raises(ValueError, match="no Rasa URL"):
        instances(" , ")


def test_with_no_instance_answering_the_gated_model_waits_for_their_next_start(
    test_model: Path, tmp_path: Path
) -> None:
    published, candidate = tmp_path / "nav.tar.gz", tmp_path / "candidate" / "nav.tar.gz"
    candidate.parent.mkdir()
    shutil.copy(test_model, candidate)
    urls = f"http://127.0.0.1:{free_port()},http://127.0.0.1:{free_port()}"
    assert set(running_model_ids(urls).values()) == {None}
    done = install(candidate, published, urls, Stamp("fingerprint", ""))
    assert (done.published, done.message, done.details) == (False, NOT_RUNNING, urls.replace(",", ", "))
    assert Stamp.read(published) is not None


def test_each_instance_is_drained_from_the_balancer_while_it_loads_and_put_back(
    test_model: Path, tmp_path: Path
) -> None:
    calls = tmp_path / "calls"
    recorder = tmp_path / "drain.sh"
    recorder.write_text(f'echo "$1 $2" >> {calls}\n')
    one, two = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    loads = load_each([one, two], test_model, drain=Drain(("bash", str(recorder)), grace=0))
    assert [load.outcome for load in loads] == [Outcome.not_running, Outcome.not_running]
    assert calls.read_text().splitlines() == [
        f"drain {one}",
        f"undrain {one}",
        f"drain {two}",
        f"undrain {two}",
    ]
    # One instance alone is never drained: there is nothing to send its visitors to.
    calls.unlink()
    load_each(one, test_model, drain=Drain(("bash", str(recorder)), grace=0))
    assert not calls.exists()
