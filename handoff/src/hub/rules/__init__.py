"""Pure rules: no I/O, no database, no HTTP. Everything above may use them; they use
nothing but each other, :mod:`hub.errors` and the standard library."""
