"""``python -m ops``: the same command line as the ``ops`` console script."""

from ops.cli import run

run()
