"""The outside world: Rasa (rasa.py, faq_source.py, trackers.py), the bot's content service
(content.py), the in-process event broker (broker.py) and its PostgreSQL relay between
hub instances (pg_relay.py). They serve the use cases and never call them."""
