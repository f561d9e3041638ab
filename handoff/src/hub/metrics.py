"""Prometheus metrics, one registry per app.

Counters and histograms count what this process did: sum them over the instances. The
gauges read from the database (queues, chats, advisors, today's figures) are set only by
the instance that holds the reporter lock (db/advisory.py) and are empty (or 0) on the
others, so a sum over the instances is the figure itself; ``hub_figures_reporter`` is 1
on that instance.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from hub.rules.overview import Overview


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.queue_length = Gauge(
            "hub_queue_length", "Visitors waiting, per topic", ["topic"], registry=r
        )
        self.active_chats = Gauge("hub_active_chats", "Chats owned by an advisor", registry=r)
        self.reporter = Gauge(
            "hub_figures_reporter",
            "1 on the instance that reports the figures read from the database",
            registry=r,
        )
        self.longest_wait = Gauge(
            "hub_queue_longest_wait_seconds",
            "How long the first visitor in each topic queue has waited",
            ["topic"],
            registry=r,
        )
        self.in_progress = Gauge(
            "hub_chats_in_progress", "Chats an advisor holds now, per topic", ["topic"], registry=r
        )
        self.advisors = Gauge(
            "hub_advisors",
            "Advisors with a live login: available, away, in_chat_with_free_seats",
            ["state"],
            registry=r,
        )
        self.free_seats = Gauge(
            "hub_advisor_free_seats", "Chats the available advisors could still take", registry=r
        )
        self.handoffs_today = Gauge(
            "hub_handoffs_today",
            "Visitors who joined a queue since midnight (HUB_TIMEZONE), per topic and reason",
            ["topic", "reason"],
            registry=r,
        )
        self.claimed_today = Gauge(
            "hub_claimed_today", "Of those, claimed by an advisor, per topic", ["topic"], registry=r
        )
        self.answered_in_time_today = Gauge(
            "hub_answered_within_3min_today",
            "Of today's visitors, claimed within 3 minutes, per topic",
            ["topic"],
            registry=r,
        )
        self.answer_decided_today = Gauge(
            "hub_answer_decided_today",
            "Of today's visitors, claimed or waited 3 minutes or more (the share's divisor)",
            ["topic"],
            registry=r,
        )
        self.ratings_today = Gauge(
            "hub_ratings_today",
            "Visitors' ratings of chats with an advisor since midnight, per topic and value",
            ["topic", "value"],
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
        self.ws_connections = Gauge(
            "hub_websocket_connections", "Open WebSockets", ["kind"], registry=r
        )

    def set_database_figures(self, overview: Overview) -> None:
        self.clear_database_figures()
        self.reporter.set(1)
        self.active_chats.set(overview.total.in_progress)
        for topic, f in overview.topics.items():
            self.queue_length.labels(topic).set(f.waiting)
            self.longest_wait.labels(topic).set(f.longest_wait_seconds)
            self.in_progress.labels(topic).set(f.in_progress)
            self.claimed_today.labels(topic).set(f.claimed_today)
            self.answered_in_time_today.labels(topic).set(f.answered_in_time_today)
            self.answer_decided_today.labels(topic).set(f.answer_decided_today)
            for reason, n in f.handoffs_today.items():
                self.handoffs_today.labels(topic, reason).set(n)
            for value, n in f.ratings_today.items():
                self.ratings_today.labels(topic, value).set(n)
        a = overview.advisors
        self.advisors.labels("available").set(a.available)
        self.advisors.labels("away").set(a.away)
        self.advisors.labels("in_chat_with_free_seats").set(a.in_chat_with_free_seats)
        self.free_seats.set(a.free_seats)

    def clear_database_figures(self) -> None:
        """Another instance reports them: nothing (or 0) here, so sums stay right."""
        self.reporter.set(0)
        self.active_chats.set(0)
        self.free_seats.set(0)
        for gauge in (
            self.queue_length,
            self.longest_wait,
            self.in_progress,
            self.advisors,
            self.handoffs_today,
            self.claimed_today,
            self.answered_in_time_today,
            self.answer_decided_today,
            self.ratings_today,
        ):
            gauge.clear()
