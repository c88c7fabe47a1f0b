"""``python -m goldenpath`` runs the CLI."""

from goldenpath.cli import app

app(prog_name="goldenpath")
