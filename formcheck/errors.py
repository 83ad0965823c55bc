"""Errors a user can cause and fix. The CLI prints them as one line and exits 1."""

from __future__ import annotations


class FormcheckError(Exception):
    """Base class for expected, user-facing errors (bad input, bad settings)."""


class VideoError(FormcheckError):
    """A clip can't be opened or decoded."""


class LandmarkFileError(FormcheckError):
    """A landmark file is malformed; the message names the line."""


class ModelError(FormcheckError):
    """A pose model name or path can't be resolved or loaded."""


class SpecError(FormcheckError):
    """An exercise spec is malformed; the message names file, exercise and key."""
