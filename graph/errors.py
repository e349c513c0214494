"""Errors the library raises; each carries what a person needs to fix the cause."""
from __future__ import annotations


class EsgkgError(Exception):
    """Base class: every error the CLI turns into a message and exit status 1."""


class SourceError(EsgkgError):
    """A problem in a report's source files, located by file and line."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {problem}")


class SourceErrors(EsgkgError):
    """Every source problem found in one pass, so a curator fixes them all at once."""

    def __init__(self, errors: list[SourceError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  {e}" for e in errors)
        super().__init__(f"{len(errors)} problem(s) in the report sources:\n{lines}")


class StoreError(EsgkgError):
    """The store is missing, damaged or cannot be opened."""


class ValidationFailed(EsgkgError):
    """A build produced a graph with SHACL violations and was not published."""


class QueryError(EsgkgError):
    """A query could not be run (syntax error, time limit, row cap, engine error), with the
    HTTP status that says which."""

    def __init__(self, message: str, status: int = 400, limited: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.limited = limited  # stopped by a limit of the service (time, rows, bytes), not wrong

    @property
    def reason(self) -> str:
        """The message's first sentence: what stopped the query, without the advice that
        follows it (a page that asked the question itself has no query to add LIMIT to)."""
        return self.message.split(". ")[0].rstrip(".")
