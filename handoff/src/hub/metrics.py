"""Prometheus metrics, one registry per app."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.queue_length = Gauge(
            "hub_queue_length", "Visitors waiting, per topic", ["topic"], registry=r
        )
        self.active_chats = Gauge("hub_active_chats", "Chats owned by an advisor", registry=r)
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
        self.queue_overview_reads = Counter(
            "hub_queue_overview_reads",
            "Reads of the queue overview for advisors' consoles (one per change per instance)",
            registry=r,
        )
        self.ws_connections = Gauge(
            "hub_websocket_connections", "Open WebSockets", ["kind"], registry=r
        )
