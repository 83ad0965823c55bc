"""The ``formcheck`` command line: ``main(argv=None) -> int``.

Subcommands are modules listed explicitly in `_COMMANDS`; each provides
``add_parser(subparsers)`` and ``run(args) -> int``. Expected errors
(`FormcheckError`) print one line and exit 1; Ctrl-C exits 130; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from formcheck import __version__
from formcheck.errors import FormcheckError

# Module names, imported when the parser is built (not at import time).
_COMMANDS = (
    "formcheck.commands.landmarks",
    "formcheck.commands.analyze",
    "formcheck.commands.exercises",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="formcheck",
        description="Rep-by-rep form feedback for rehab exercises, from a clip or landmarks.",
    )
    parser.add_argument("--version", action="version", version=f"formcheck {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency, not an absent subcommand
                raise
            continue
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except FormcheckError as exc:
        print(f"formcheck: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `formcheck analyze ... --json - | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
