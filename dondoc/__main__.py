"""``python -m dondoc`` runs the CLI."""

from dondoc.cli import run

run()
