"""The FAQ content as editors change it: reading and writing the topic files, the rules an
answer and its examples must follow, the checks before a release, the content service the hub
calls, and its publish job (the release pipeline itself is bot.release)."""
