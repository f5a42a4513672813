"""Opt in to geotimeline's plugin-testing fixtures (plugin_host, timeline_factory, ...)."""

pytest_plugins = ["timeline.testing"]
