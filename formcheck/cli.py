"""The ``formcheck`` command line: ``main(argv=None) -> int``.

Subcommands are modules listed explicitly in `_COMMANDS`; each provides
``add_parser(subparsers)`` and ``run(args) -> int``. Expected errors
(`FormcheckError`) print one line and exit 1; Ctrl-C exits 130; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Iterator, Sequence

from formcheck import __version__
from formcheck.errors import FormcheckError

# Module names, imported when the parser is built (not at import time).
_COMMANDS = (
    "formcheck.commands.landmarks",
    "formcheck.commands.analyze",
    "formcheck.commands.exercises",
    "formcheck.commands.bench",
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


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send native libraries' stderr (MediaPipe's C++ logging) to /dev/null.

    MediaPipe logs INFO and WARNING lines from C++ straight to file descriptor
    2 and ignores glog's environment variables, which would bury our one-line
    errors. Python keeps writing to the real stderr through a duplicate
    descriptor, so progress bars, errors and tracebacks still show. Set
    FORMCHECK_NATIVE_LOGS=1 to see the native logs.
    """
    try:
        real_fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced (e.g. captured in tests)
        real_fd = -1
    if real_fd != 2 or os.environ.get("FORMCHECK_NATIVE_LOGS") == "1":
        yield
        return
    sys.stderr.flush()
    saved_fd = os.dup(2)
    python_stderr = sys.stderr
    sys.stderr = os.fdopen(os.dup(saved_fd), "w", buffering=1, errors="backslashreplace")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        sys.stderr.close()
        sys.stderr = python_stderr


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    with _native_stderr_silenced():
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
