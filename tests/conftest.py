"""Shared test setup: strict plugins everywhere, and the timeline.testing fixtures."""

from __future__ import annotations

import os

# Set before anything builds the default plugin host: the suite runs strict, so a
# broken plugin fails loudly instead of being reported and skipped. Subprocesses
# (the CLI tests) inherit it.
os.environ["TIMELINE_STRICT_PLUGINS"] = "1"

pytest_plugins = ["timeline.testing"]
