"""Input problems, collected and reported with the file, the row, the column and the id at fault."""

from __future__ import annotations

from dataclasses import dataclass

MAX_REPORTED_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input.

    ``row`` is the row number as a spreadsheet program shows it (the header is row 1, the first data
    row is row 2); ``None`` when the problem concerns the whole file or a column.
    """

    file: str
    message: str
    column: str | None = None
    row: int | None = None
    ident: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.ident is not None:
            where.append(f"id '{self.ident}'")
        return f"{', '.join(where)}: {self.message}"


class InputError(Exception):
    """Raised when an input cannot be used; carries every :class:`Problem` found (up to a limit)."""

    def __init__(self, problems: list[Problem] | Problem, limit: int = MAX_REPORTED_PROBLEMS):
        if isinstance(problems, Problem):
            problems = [problems]
        # in file order, then row order, so a partner can walk down the file
        self.problems = sorted(problems, key=lambda p: (p.file, p.row if p.row is not None else 0))
        self.limit = limit
        super().__init__(self._format())

    def limited(self, limit: int) -> "InputError":
        """The same problems, listing at most ``limit`` of them."""
        return InputError(self.problems, limit)

    def _format(self) -> str:
        shown = self.problems[:self.limit]
        lines = [f"{len(self.problems)} problem(s) in the input data:"]
        lines += [f"  - {problem}" for problem in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)


#: errno values that mean the disk (or the user's quota) is full.
DISK_FULL_ERRNOS = frozenset(code for code in (getattr(__import__("errno"), name, None)
                                               for name in ("ENOSPC", "EDQUOT", "EFBIG")) if code is not None)


class DiskFullError(Exception):
    """Writing an output failed because the disk or the quota is full; names the file in plain words."""

    def __init__(self, path: str, reason: str = "no space left on the disk"):
        self.path = str(path)
        super().__init__(f"{reason} while writing {self.path}. Nothing was left half-written: free some space "
                         "(or ask for a larger quota) and run the same command again; Snakemake then remakes only "
                         "what is missing (after an interrupted run: make recover)")
