"""``python -m cli``: the same as the ``pathways`` command (``python -m cli serve`` serves)."""

from cli import main

main()
