"""Prometheus metrics, one registry per app."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class ClusterGauges(Collector):
    """``hub_queue_length{topic}`` and ``hub_active_chats``, or nothing at all (an
    instance that does not report them)."""

    def __init__(self) -> None:
        self.values: tuple[dict[str, int], int] | None = None

    def set(self, lengths: dict[str, int], active: int) -> None:
        self.values = (dict(lengths), active)

    def clear(self) -> None:
        self.values = None

    def describe(self) -> Iterator[Metric]:
        return iter(())

    def collect(self) -> Iterator[Metric]:
        if self.values is None:
            return
        lengths, active = self.values
        queue = GaugeMetricFamily(
            "hub_queue_length", "Visitors waiting, per topic", labels=["topic"]
        )
        for topic, n in lengths.items():
            queue.add_metric([topic], n)
        yield queue
        yield GaugeMetricFamily("hub_active_chats", "Chats owned by an advisor", value=active)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        # The whole system's queue and chat gauges: only on the instance that reports
        # them (core/health.py), so they add up right over instances.
        self.cluster = ClusterGauges()
        r.register(self.cluster)
        self.cluster_gauges_reporter = Gauge(
            "hub_reports_cluster_gauges",
            "1 on the one instance that reports hub_queue_length and hub_active_chats",
            registry=r,
        )
        self.queue_wait = Histogram(
            "hub_queue_wait_seconds",
            "Time from joining the queue to an advisor's claim",
            ["topic"],
            buckets=(15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
            registry=r,
        )
        self.handoffs = Counter(
            "hub_handoffs_total",
            "Handoff requests by reason and result",
            ["reason", "result"],
            registry=r,
        )
        self.bot_latency = Histogram(
            "hub_bot_latency_seconds",
            "Rasa round trip per visitor message",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
            registry=r,
        )
        self.bot_errors = Counter("hub_bot_errors_total", "Failed calls to Rasa", registry=r)
        self.messages = Counter(
            "hub_messages_total", "Stored messages by sender", ["sender"], registry=r
        )
        self.transactions = Counter(
            "hub_db_transactions",
            "Units of work (database transactions) by kind",
            ["kind"],
            registry=r,
        )
        self.ws_connections = Gauge(
            "hub_websocket_connections", "Open WebSockets", ["kind"], registry=r
        )
