"""Services: functions that change the database inside a caller's unit of work.

They know nothing of HTTP or WebSockets; they raise :mod:`hub.errors` and add
events to the unit's outbox.
"""
