"""The Grafana dashboard (deploy/grafana/) is JSON, and its panels ask for metrics the hub has."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hub.metrics import Metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "hub-overview.json"


def _metric_names() -> set[str]:
    names: set[str] = set()
    for metric in Metrics().registry.collect():
        names.add(metric.name)
        names.update(sample.name for sample in metric.samples)
    # Labelled metrics have no samples until set: their family's names are enough.
    suffixes = ("", "_total", "_bucket", "_count", "_sum")
    return {f"{n}{s}" for n in names for s in suffixes}


def test_the_dashboard_is_json_and_every_panel_asks_for_a_metric_the_hub_has() -> None:
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    assert dashboard["uid"] and dashboard["title"]
    known = _metric_names()
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    asked: set[str] = set()
    for panel in panels:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = set(re.findall(r"\bhub_[a-z0-9_]+", target["expr"]))
            assert names, (panel["title"], target["expr"])
            assert names <= known, (panel["title"], names - known)
            asked |= names
    # Every figure of the supervisors' page is on the dashboard.
    overview = {
        "hub_queue_length",
        "hub_queue_longest_wait_seconds",
        "hub_chats_in_progress",
        "hub_advisors",
        "hub_advisor_free_seats",
        "hub_handoffs_today",
        "hub_claimed_today",
        "hub_answered_within_3min_today",
        "hub_answer_decided_today",
        "hub_ratings_today",
    }
    assert overview <= asked, overview - asked
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
