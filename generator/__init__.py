"""trustcenter: turn a SOC 2 checklist for AWS into living evidence."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("trustcenter")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
