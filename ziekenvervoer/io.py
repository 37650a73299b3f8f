"""Reading and writing tables (CSV, Excel, Parquet) for the batch commands.

Reading
-------
CSV is read as text, so that every value passes through unchanged (postcodes, ids with leading
zeros); the commands convert the columns they use themselves and report values they cannot use.

* **Encoding**: UTF-8 (with or without a byte-order mark); a file that is not valid UTF-8 is read
  as Windows-1252 (cp1252, the usual CSV export of a Dutch Excel), and
  :attr:`TableInput.encoding` and :attr:`TableInput.notes` say so. A file that is neither is a
  typed error.
* **Delimiter**: the one of ``,`` ``;`` tab ``|`` that occurs most often in the header line
  (outside quotes; ties go to that order); ``.tsv`` is always tab-separated.
* **Blank lines** are skipped, as by pandas. Duplicate header names get ``.1``, ``.2`` ... and
  empty ones ``Unnamed: <position>``, as by pandas.
* **Malformed lines** (more or fewer fields than the header) do not reject the file: the row is
  kept, truncated or padded with empty fields to the header, and marked. When a file has such
  rows, two columns are appended to the frame: :data:`ROW_ERROR_COLUMN` (``row_error``: what is
  wrong, e.g. ``line 4: 24 fields, the header has 22``; empty for good rows) and
  :data:`SOURCE_LINE_COLUMN` (``source_line``: the line each row starts on, 1 = the header).
  The values of a marked row may sit in the wrong columns: the audit rejects such rows
  (``PARSE_ROW``) and ``routes`` gives them an error instead of a route. A record that spans
  several lines (a quoted field with line breaks) and has the wrong number of fields is most
  often a stray quote that swallowed the lines after it; it is split back into its lines, each a
  row of its own. Messages name line numbers and counts, never values.
  Rows in = rows out, in file order. A file without a header line (empty, or only blank lines)
  is a typed error; a header without rows gives an empty frame.

Excel (``.xlsx``, ``.xlsm``; needs ``openpyxl``) and Parquet are read with pandas.

Writing
-------
Outputs (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``, ``.parquet``) are written atomically: to a
temporary file in the same folder, then renamed. An ordinary output gets the mode a new file
normally gets (``0666`` less the umask); ``private=True`` (files holding personal data) gives
``0600``. :func:`check_output` refuses an unknown type or an output that would overwrite an input,
before any work is done.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from routing.errors import InvalidQuery

_CSV = {".csv", ".txt", ".tsv"}
_EXCEL = {".xlsx", ".xlsm"}
_PARQUET = {".parquet", ".pq"}
#: Types that can be read.
INPUT_SUFFIXES = frozenset(_CSV | _EXCEL | _PARQUET)
#: Types that can be written (pandas cannot write ``.xls``; ``.xlsm`` would need macros).
OUTPUT_SUFFIXES = frozenset(_CSV | {".xlsx"} | _PARQUET)

#: Column appended to a CSV with malformed lines: what is wrong with the row (empty when nothing).
ROW_ERROR_COLUMN = "row_error"
#: Column appended to a CSV with malformed lines: the line each row starts on (1 = the header).
SOURCE_LINE_COLUMN = "source_line"

_DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"]*"')
_ENCODING_NAMES = {"utf-8-sig": "utf-8", "cp1252": "cp1252"}


@dataclass(frozen=True)
class TableInput:
    """A table as read, with how it was read.

    Attributes
    ----------
    frame : pandas.DataFrame
        The rows, in file order (see the module docstring for the marker columns).
    encoding : str, optional
        ``"utf-8"`` or ``"cp1252"`` for CSV; ``None`` for Excel and Parquet.
    delimiter : str, optional
        The CSV field separator; ``None`` for Excel and Parquet.
    malformed_rows : int
        Rows marked in :data:`ROW_ERROR_COLUMN`.
    notes : tuple of str
        What a user should know about the reading (encoding fallback, malformed lines).
    """

    frame: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    malformed_rows: int = 0
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the reading facts for JSON (no values of the table)."""
        return {
            "rows": len(self.frame),
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "malformed_rows": self.malformed_rows,
            "notes": list(self.notes),
        }


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (delimiter detected), Excel or Parquet file (see the module docstring).

    Raises
    ------
    InvalidQuery
        When the file is missing, of an unknown type, empty (no header), or unreadable.
    """
    return read_table_info(path).frame


def read_table_info(path: str | Path) -> TableInput:
    """Read a table like :func:`read_table` and say how it was read (encoding, bad lines).

    Raises
    ------
    InvalidQuery
        When the file is missing, of an unknown type, empty (no header), or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidQuery(f"input file not found: {path}", field="input")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InvalidQuery(
            f"{path.name} is an old Excel file (.xls): save it as .xlsx or CSV", field="input"
        )
    if suffix in _CSV:
        return _read_csv(path, suffix)
    try:
        if suffix in _EXCEL:
            return TableInput(pd.read_excel(path, dtype=object))
        if suffix in _PARQUET:
            return TableInput(pd.read_parquet(path))
    except ImportError as exc:
        raise InvalidQuery(
            f"cannot read {path.name}: a package is missing ({exc.name}); reinstall ziekenvervoer",
            field="input",
        ) from exc
    except Exception as exc:  # corrupt files raise many types (zipfile, arrow, ...)
        raise InvalidQuery(f"cannot read {path.name}: {exc}", field="input") from exc
    raise InvalidQuery(
        f"unknown input type {suffix or '(none)'}: use .csv, .xlsx or .parquet", field="input"
    )


# --- CSV --------------------------------------------------------------------------------------


def _read_csv(path: Path, suffix: str) -> TableInput:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=encoding, newline="") as f:
                frame, delimiter, bad = _parse_csv(f, path.name, suffix)
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:  # e.g. a NUL byte: the file is not text
            raise InvalidQuery(
                f"cannot read {path.name}: not a text CSV ({exc})", field="input"
            ) from exc
        name = _ENCODING_NAMES[encoding]
        notes = []
        if name == "cp1252":
            notes.append(
                f"{path.name} is not valid UTF-8: read as Windows-1252 (cp1252), the usual CSV "
                "export of Excel; check accented letters, or save as 'CSV UTF-8'"
            )
        if bad:
            notes.append(
                f"{bad} malformed line(s) in {path.name} (more or fewer fields than the header): "
                f"kept as rows, marked in column '{ROW_ERROR_COLUMN}'"
            )
        return TableInput(frame, name, delimiter, bad, tuple(notes))
    raise InvalidQuery(
        f"cannot read {path.name}: it is neither UTF-8 nor Windows-1252 text; save it as "
        "'CSV UTF-8'",
        field="input",
    )


def _delimiter(header_line: str, suffix: str) -> str:
    """Return the field separator of a CSV from its header line (see the module docstring)."""
    if suffix == ".tsv":
        return "\t"
    bare = _QUOTED.sub("", header_line)
    counts = [bare.count(d) for d in _DELIMITERS]
    best = max(counts)
    return _DELIMITERS[counts.index(best)] if best else ","


class _Recorder:
    """An iterator over a file's lines that keeps the lines of the current record."""

    def __init__(self, f: IO[str]) -> None:
        self._f = f
        self.lines: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._f)
        self.lines.append(line)
        return line


def _blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip())


def _dedup(names: list[str]) -> list[str]:
    """Make header names unique and non-empty, as pandas does (``a``, ``a.1``; ``Unnamed: 2``)."""
    names = [n if n != "" else f"Unnamed: {i}" for i, n in enumerate(names)]
    counts: defaultdict[str, int] = defaultdict(int)
    out = []
    for col in names:
        cur = counts[col]
        while cur > 0:
            counts[col] = cur + 1
            col = f"{col}.{cur}"
            cur = counts[col]
        out.append(col)
        counts[col] = cur + 1
    return out


def _parse_csv(f: IO[str], name: str, suffix: str) -> tuple[pd.DataFrame, str, int]:
    """Parse an open CSV; return the frame, the delimiter and the number of malformed rows."""
    first = ""
    for line in f:
        if line.strip():
            first = line
            break
    if not first:
        raise InvalidQuery(
            f"{name} is empty: it has no header line (column names); nothing to read",
            field="input",
        )
    delimiter = _delimiter(first, suffix)
    f.seek(0)
    source = _Recorder(f)
    dialect: dict[str, Any] = {"delimiter": delimiter, "quotechar": '"', "doublequote": True}
    reader = csv.reader(source, **dialect)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    errors: list[str] = []
    end = 0  # the last line read so far
    for fields in reader:
        start, end = end + 1, reader.line_num
        record_lines, source.lines = source.lines, []
        if _blank(fields):
            continue
        if header is None:
            header = fields
            continue
        if len(fields) != len(header) and end > start:
            # most often a stray quote that swallowed the lines after it: one row per line
            for offset, text in enumerate(record_lines):
                part = next(csv.reader([text], **dialect), [])
                if not _blank(part):
                    _add(rows, lines, errors, part, start + offset, len(header))
            continue
        _add(rows, lines, errors, fields, start, len(header))
    assert header is not None  # the first non-blank line exists
    columns = _dedup(header)
    # dtype=str: as pandas.read_csv(dtype=str) gives (object in pandas 2, str in pandas 3)
    frame = pd.DataFrame(rows, columns=columns, dtype=str)
    if not rows:
        frame = pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
    bad = sum(1 for e in errors if e)
    if bad:
        frame[ROW_ERROR_COLUMN] = pd.Series(errors, dtype=str, index=frame.index)
        frame[SOURCE_LINE_COLUMN] = pd.Series(lines, dtype="int64", index=frame.index)
    return frame, delimiter, bad


def _add(
    rows: list[list[str]], lines: list[int], errors: list[str], fields: list[str], line: int,
    width: int,
) -> None:  # fmt: skip
    n = len(fields)
    if n == width:
        errors.append("")
    else:
        errors.append(f"line {line}: {n} fields, the header has {width}")
        fields = fields[:width] if n > width else fields + [""] * (width - n)
    rows.append(fields)
    lines.append(line)


# --- writing ----------------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_output(
    path: str | Path,
    *,
    inputs: Iterable[str | Path | None] = (),
    suffixes: Iterable[str] = OUTPUT_SUFFIXES,
    field: str = "output",
) -> Path:
    """Check an output path before any work is done.

    Parameters
    ----------
    path : path
        Where the output will be written.
    inputs : iterable of paths
        Files the run reads (``None`` entries are skipped); the output must be none of them.
    suffixes : iterable of str
        Accepted file types (lower case, with the dot).
    field : str
        The option named in errors.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InvalidQuery
        For an unknown type, a folder, or a path that is (or links to) one of ``inputs``.
    """
    path = Path(path)
    allowed = sorted(suffixes)
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InvalidQuery(
            f"unknown {field} type {suffix or '(none)'}: use {', '.join(allowed)}", field=field
        )
    if path.is_dir():
        raise InvalidQuery(f"the {field} {path.name} is a folder: give a file name", field=field)
    for other in inputs:
        if other is not None and _same_file(path, Path(other)):
            raise InvalidQuery(
                f"the {field} file {path.name} is also an input of this run: writing it would "
                "overwrite that input; choose another file name",
                field=field,
            )
    return path


def usual_mode() -> int:
    """Return the mode a new file gets in this process: ``0o666`` less the umask."""
    try:  # Linux: read the umask without changing it (os.umask is process-wide)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Replace control characters that an Excel cell cannot hold with U+FFFD."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = [
                ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v
                for v in out[col]
            ]
    return out


def write_table_atomic(df: pd.DataFrame, path: str | Path, *, private: bool = False) -> Path:
    """Write ``df`` to ``path`` (format by suffix) via a temporary file and an atomic rename.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    path : path
        ``.csv``/``.txt`` (comma-separated), ``.tsv`` (tab), ``.xlsx`` or ``.parquet``/``.pq``.
    private : bool
        The file holds personal data: mode ``0600`` instead of the usual ``0666`` less umask.

    Raises
    ------
    InvalidQuery
        For an unknown type.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InvalidQuery(
            f"unknown output type {suffix or '(none)'}: use .csv, .xlsx or .parquet", field="output"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix in _CSV:
            df.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")
        elif suffix in _EXCEL:
            _excel_safe(df).to_excel(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        os.chmod(tmp, 0o600 if private else usual_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


__all__ = [
    "INPUT_SUFFIXES",
    "OUTPUT_SUFFIXES",
    "ROW_ERROR_COLUMN",
    "SOURCE_LINE_COLUMN",
    "TableInput",
    "check_output",
    "read_table",
    "read_table_info",
    "usual_mode",
    "write_table_atomic",
]
