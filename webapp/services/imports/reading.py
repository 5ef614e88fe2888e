"""Reading an uploaded file: its encoding, delimiter and header, then its rows, streamed.

Real files are messy. The encoding is UTF-8 (with or without BOM), UTF-16 with a BOM,
else Windows-1252 (Latin-1 when a byte is not Windows-1252). The delimiter is the one
of comma, semicolon, tab and pipe that splits the first lines most consistently.

A row is read with the csv module, one physical line at a time, so a quoted field
may hold line breaks (CR, LF or CRLF). A stray quote would make csv swallow the rest
of the file into one field; so a row that spans several lines is accepted only if it
looks like one row: at most MAX_RECORD_LINES lines and MAX_RECORD_CHARS characters,
the header's number of values, and a closing quote followed by a delimiter or the
line's end (strict CSV). Otherwise the row
at its first line is rejected (with that line number) and reading goes on at the next
line. Memory stays flat: nothing holds more than one row.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO

from webapp.services.errors import ValidationFailed

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
MAX_RECORD_LINES = 50
MAX_RECORD_CHARS = 100_000
MAX_COLUMNS = 200
SAMPLE_BYTES = 64 * 1024
CHUNK = 1024 * 1024
# Bytes Windows-1252 leaves undefined: a file that has them is read as Latin-1.
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
XLSX_MAGIC = b"PK\x03\x04"

csv.field_size_limit(MAX_RECORD_CHARS * 2)


@dataclass(frozen=True)
class FileShape:
    """What reading a file needs to know, found once at upload."""

    file_format: str  # csv | xlsx
    encoding: str | None
    delimiter: str | None
    headers: list[str]


@dataclass(frozen=True)
class Record:
    """One data row: its first physical line, its values, or why it cannot be read."""

    line: int
    values: list[str] | None
    problem: str | None = None
    raw: str | None = None


def refuse(reason: str) -> ValidationFailed:
    return ValidationFailed({"file": reason})


def detect_shape(path: Path, file_name: str) -> FileShape:
    """The file's format, encoding, delimiter and header; a clear refusal for anything else."""
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise refuse("is empty")
    if head.startswith(XLSX_MAGIC):
        return _xlsx_shape(path)
    with open(path, "rb") as handle:
        encoding = stream_encoding(handle)
    sample = head.decode(encoding, errors="ignore")
    if encoding.startswith("utf-16"):
        sample = sample.lstrip("\ufeff")
    if _looks_binary(sample):
        raise refuse("is not a CSV file (it looks like a binary file)")
    try:
        delimiter = _sniff_delimiter(sample)
        headers = _csv_headers(path, encoding, delimiter)
    except csv.Error as exc:
        raise refuse(f"cannot be read as CSV ({exc})") from None
    return FileShape("csv", encoding, delimiter, headers)


def stream_encoding(handle: IO[bytes]) -> str:
    """The text encoding of a seekable binary file, read from where it stands and rewound
    there (the core loaders use it too: one detection for every file a person uploads)."""
    start = handle.tell()
    try:
        return _encoding(handle, start)
    finally:
        handle.seek(start)


def _encoding(handle: IO[bytes], start: int) -> str:
    head = handle.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise refuse("is not a CSV file (it looks like a binary file)")
    decoder = codecs.getincrementaldecoder("utf-8")()
    undefined = False
    handle.seek(start)
    try:
        while chunk := handle.read(CHUNK):
            undefined = undefined or not CP1252_UNDEFINED.isdisjoint(chunk)
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if not undefined:
        handle.seek(start)
        while chunk := handle.read(CHUNK):
            if not CP1252_UNDEFINED.isdisjoint(chunk):
                return "latin-1"
    return "latin-1" if undefined else "cp1252"


def _looks_binary(sample: str) -> bool:
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    return "\x00" in sample or controls > max(2, len(sample) // 100)


def _sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.replace("\x00", "").splitlines() if line.strip()][:20]
    if len(lines) > 1 and len(sample) >= SAMPLE_BYTES:
        lines = lines[:-1]  # the last line of a cut sample may be cut too
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for n in counts if n == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_headers(path: Path, encoding: str, delimiter: str) -> list[str]:
    with open_text(path, encoding) as stream:
        for _line, row in _physical_rows(stream, delimiter):
            if row and any(v.strip() for v in row):
                return _header_names(row)
    raise refuse("has no header row")


def _header_names(row) -> list[str]:
    if len(row) > MAX_COLUMNS:
        raise refuse(f"has more than {MAX_COLUMNS} columns")
    names = []
    for n, value in enumerate(row, start=1):
        name = str(value if value is not None else "").strip().lstrip("\ufeff")[:100]
        names.append(name or f"Column {n}")
    return names


def open_text(path: Path, encoding: str):
    # "replace": a UTF-16 file cut mid-character, or bytes after a UTF-8 BOM that are
    # not UTF-8, still read (the odd character shows as U+FFFD) instead of failing.
    return open(path, encoding=encoding, errors="replace", newline="")


def _physical_rows(stream, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """csv rows with their first line number (for the header only: no stray-quote guard)."""
    counter = _Lines(stream)
    reader = csv.reader(counter, delimiter=delimiter)
    for row in reader:
        yield counter.start, row
        counter.start = counter.number + 1


class _Lines:
    def __init__(self, stream):
        self.stream = stream
        self.number = 0
        self.start = 1

    def __iter__(self):
        for line in self.stream:
            self.number += 1
            if self.number > MAX_RECORD_LINES and self.start == 1:
                raise refuse("has no readable header row (a quote on line 1 is never closed)")
            yield line


class _Overflow(Exception):
    pass


def read_records(path: Path, shape: FileShape) -> Iterator[Record]:
    """The data rows after the header, blank lines left out, each with its line number."""
    if shape.file_format == "xlsx":
        yield from _xlsx_records(path)
        return
    with open_text(path, shape.encoding) as stream:
        yield from _csv_records(stream, shape.delimiter, len(shape.headers))


def _csv_records(stream, delimiter: str, width: int) -> Iterator[Record]:
    source = enumerate(stream, start=1)
    pending: deque[tuple[int, str]] = deque()
    header_seen = False
    while True:
        taken: list[tuple[int, str]] = []
        lines = _feed(source, pending, taken)
        try:
            row = next(csv.reader(lines, delimiter=delimiter), None)
        except _Overflow:
            first = taken[0]
            pending.extendleft(reversed(taken[1:]))
            if len(taken) == 1 or len(first[1]) > MAX_RECORD_CHARS:
                problem = f"the row is longer than {MAX_RECORD_CHARS:,} characters"
            else:
                problem = _stray_quote(first[0])
            if header_seen:
                yield Record(first[0], None, problem, first[1][:2000])
                continue
            raise refuse("has no readable header row") from None
        except csv.Error as exc:
            first = taken[0] if taken else (0, "")
            pending.extendleft(reversed(taken[1:]))
            yield Record(first[0], None, f"cannot be read as CSV ({exc})", first[1][:2000])
            continue
        if row is None:
            return
        if not header_seen:
            if row and any(v.strip() for v in row):
                header_seen = True
            continue
        if not any(v.strip() for v in row):
            continue  # a blank line
        first = taken[0]
        if len(taken) > 1 and _swallowed_rows(row, taken, delimiter, width):
            pending.extendleft(reversed(taken[1:]))
            yield Record(first[0], None, _stray_quote(first[0]), first[1][:2000])
            continue
        if len(row) > width and any(v.strip() for v in row[width:]):
            yield Record(
                first[0],
                row,
                f"has {len(row)} values but the header has {width} columns",
            )
            continue
        yield Record(first[0], row[:width] + [""] * (width - len(row)))


def _feed(source, pending: deque, taken: list) -> Iterator[str]:
    """Lines for one row: replayed ones first; _Overflow once the row is too long."""
    size = 0
    while True:
        if pending:
            item = pending.popleft()
        else:
            item = next(source, None)
            if item is None:
                return
        taken.append(item)
        size += len(item[1])
        if len(taken) > MAX_RECORD_LINES or size > MAX_RECORD_CHARS:
            raise _Overflow
        yield item[1]


def _stray_quote(line: int) -> str:
    return (
        f"a quote opened on line {line} is never closed; this line is left out and "
        "reading goes on at the next line"
    )


def _swallowed_rows(row, taken, delimiter: str, width: int) -> bool:
    """A row over several lines that is really a stray quote eating the rows after it.

    A quoted field may hold line breaks (CR, LF or CRLF) and any text, delimiters
    included. A stray quote shows otherwise: the row has the wrong number of values,
    or its quote is never closed, or what "closes" it is a later row's opening quote
    (text follows it, not a delimiter or the line's end), which strict CSV refuses.
    """
    if len(row) != width:
        return True
    try:
        next(csv.reader((text for _, text in taken), delimiter=delimiter, strict=True))
    except csv.Error:
        return True
    return False


def _xlsx_shape(path: Path) -> FileShape:
    rows = _xlsx_rows(path)
    try:
        for _line, row in rows:
            if any(v.strip() for v in row):
                return FileShape("xlsx", None, None, _header_names(row))
    except ValidationFailed:
        raise
    except Exception:  # a damaged sheet fails as it is read
        raise refuse("is not a CSV or .xlsx file (the workbook cannot be read)") from None
    finally:
        rows.close()
    raise refuse("has no header row")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    # A handle, not the name: the name's suffix may say .csv.
    handle = open(path, "rb")  # noqa: SIM115  (closed below, after the last row)
    try:
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException):
            raise refuse("is not a CSV or .xlsx file") from None
        except Exception:  # openpyxl on a damaged workbook raises many kinds
            raise refuse("is not a CSV or .xlsx file (the workbook cannot be read)") from None
        try:
            sheet = book.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        finally:
            book.close()
    finally:
        handle.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _xlsx_records(path: Path) -> Iterator[Record]:
    width = None
    for line, row in _xlsx_rows(path):
        if not any(v.strip() for v in row):
            continue
        if width is None:
            width = len(row)
            continue
        if len(row) > width and any(v.strip() for v in row[width:]):
            yield Record(line, row, f"has {len(row)} values but the header has {width} columns")
            continue
        yield Record(line, row[:width] + [""] * (width - len(row)))


def estimate_rows(path: Path, shape: FileShape) -> int:
    """About how many data rows (lines less the header), read fast; exact when done."""
    if shape.file_format == "xlsx":
        from openpyxl import load_workbook

        with open(path, "rb") as handle:
            book = load_workbook(handle, read_only=True)
            try:
                return max(0, (book.worksheets[0].max_row or 1) - 1)
            finally:
                book.close()
    step = 2 if shape.encoding == "utf-16" else 1
    lines, last = 0, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n") // step if step == 1 else chunk.count(b"\n\x00")
            last = chunk
    if last and not last.rstrip(b"\x00").endswith(b"\n"):
        lines += 1
    return max(0, lines - 1)
