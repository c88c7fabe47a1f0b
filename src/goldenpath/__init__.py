"""goldenpath: generate and update a production-ready platform monorepo."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("goldenpath")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0"
