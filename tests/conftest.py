"""Shared test setup: strict plugins everywhere, and the timeline.testing fixtures."""

from __future__ import annotations

import os

# Set before anything builds the default plugin host: the suite runs strict, so a
# broken plugin fails loudly instead of being reported and skipped. Subprocesses
# (the CLI tests) inherit it.
os.environ["TIMELINE_STRICT_PLUGINS"] = "1"

pytest_plugins = ["timeline.testing"]


def spark_session() -> object:
    """Return a local Spark session (pyspark and a Java 17+ runtime), or skip saying why.

    Under ``CI=true`` a missing one fails instead: ``.ci/run`` installs Debian's Java and
    the test extra pyspark, so Spark's own reader checks the Parquet files there.
    """
    import shutil

    import pytest

    problem = None
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        problem = "pyspark is not installed (pip install -e '.[test]')"
    if problem is None and shutil.which("java") is None:
        problem = "no Java runtime on PATH (apt-get install openjdk-17-jre-headless)"
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: the Spark tests must run, but {problem}")
        pytest.skip(problem)
    return (
        SparkSession.builder.master("local[1]")
        .appName("geotimeline-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
