"""Reading and cleaning the next batch while the database writes this one.

Parsing is pure Python (csv, the input schema's email and phone checks) and the
batch's writes mostly wait on the database, so a reader thread parses ahead into a
queue of at most AHEAD batches: memory stays a few batches whatever the file's size.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from webapp.services.imports.batch import ImportContext, ParsedBatch, parse_batch
from webapp.services.imports.reading import FileShape, read_records

AHEAD = 2
_DONE = object()


@contextmanager
def parsed_batches(
    path: Path, shape: FileShape, ctx: ImportContext, skip: int, size: int
) -> Iterator[Iterator[ParsedBatch]]:
    """The file's batches after the first `skip` rows, parsed on a reader thread."""
    ahead: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def read() -> None:
        records = read_records(path, shape)
        try:
            rest = itertools.islice(records, skip, None)
            while not stop.is_set():
                chunk = list(itertools.islice(rest, size))
                if not chunk:
                    break
                _put(ahead, parse_batch(ctx, chunk), stop)
            _put(ahead, _DONE, stop)
        except BaseException as exc:  # handed to the consumer, which raises it
            _put(ahead, exc, stop)
        finally:
            records.close()

    def consume() -> Iterator[ParsedBatch]:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    reader = threading.Thread(target=read, name="import-reader", daemon=True)
    reader.start()
    try:
        yield consume()
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting on a full queue
            try:
                ahead.get_nowait()
            except queue.Empty:
                reader.join(timeout=0.05)


def _put(ahead: queue.Queue, item, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            ahead.put(item, timeout=0.1)
            return
        except queue.Full:
            continue
