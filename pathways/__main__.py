"""``python -m pathways``: the same as the ``pathways`` command."""

from .cli import main

main()
