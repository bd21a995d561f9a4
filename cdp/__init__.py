"""The ``cdp`` command line: every pipeline step and operation, runnable without Airflow."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cdp")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
