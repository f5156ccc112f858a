"""``python -m assess`` runs the command line."""

from .cli import run

run()
