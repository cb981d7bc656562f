"""One error hierarchy. Every message names the file or argument and says what to do.

The CLI maps these to one line on stderr and an exit code; the library never prints.
"""

from __future__ import annotations


class KGError(Exception):
    """Base of every error `kg` reports to a user. ``exit_code`` is the CLI's exit code."""

    exit_code = 1

    def __init__(self, message: str, *, source: str | None = None):
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class InputError(KGError):
    """A file or folder given to ingest cannot be read as an article."""


class QueryError(KGError):
    """A SPARQL query or its parameters are malformed."""

    exit_code = 2


class StoreError(KGError):
    """The store cannot be opened, is locked by another process, or is damaged."""

    exit_code = 2


class ValidationError(KGError):
    """The graph does not conform to the SHACL shapes."""


class UsageError(KGError):
    """An option or argument has a value `kg` cannot use."""

    exit_code = 2
