"""``python -m web``: the same as ``pathways serve``."""

from .cli import serve_command

if __name__ == "__main__":
    serve_command(prog_name="python -m web")
