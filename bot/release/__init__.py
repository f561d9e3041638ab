"""Releasing content to the running bot: check, train, measure against the running model, load.

`bot.release.pipeline` is the one pipeline; `make publish` (`bot/publish.py`) and the
editors' publish button (`bot/content/publishing.py`) both call it. It knows nothing of
the FAQ store it is given (a protocol), so bot.content can call it without a cycle.
"""
