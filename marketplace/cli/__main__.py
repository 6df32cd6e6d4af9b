"""`python -m marketplace.cli …` runs the `jiebang` command."""

from marketplace.cli import app

app()
