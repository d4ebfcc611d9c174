"""Each worker's memory of the catalog's signed state and of ready answers for it, kept fresh by NOTIFY.

A poll that finds nothing new is the commonest request by far, and answering it needs only the current
sequence. Every change to the catalog's state row fires `NOTIFY skinlens_catalog` (a trigger, migration 0004),
which PostgreSQL delivers when the writing transaction commits, to every listening worker of every host.
Each worker's listener thread then re-reads the head (sequence, horizon, signed digest) before it counts the
notification as received, so once a notification has arrived no answer for an older sequence is served.

Bounded staleness: should notifications stop (the listening connection broke), the head the worker holds
expires `staleness` seconds after it was last read and requests read it from the database again, so a worker
is never more than that behind; the listener re-reads the head every `staleness / 3` seconds while it is up
and reconnects when it is not.

Answers (a page of changes, a snapshot) are kept per head as ready bytes, gzip included (compression.Encoded),
and dropped as soon as the head moves on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import psycopg

from sync_server.compression import Encoded
from sync_server.feed import CatalogHead

log = logging.getLogger("skinlens.cache")
CHANNEL = "skinlens_catalog"
MAX_ANSWERS = 256  # distinct cursors answered at one head (clients at the same cursor share one)
MAX_ANSWER_BYTES = 256 * 1024 * 1024
STOP_CHECK_SECONDS = 0.5  # how soon the listener notices it should stop


@dataclass(frozen=True)
class Answer:
    encoded: Encoded
    etag: str
    cache_control: str


class CatalogCache:
    """The newest head this worker has read, and the answers made at it."""

    def __init__(self, staleness: float) -> None:
        self.staleness = staleness
        self._lock = threading.Lock()
        self._head: CatalogHead | None = None
        self._read_at = float("-inf")
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._bytes = 0
        self.notified_seq = -1  # the head's seq after the last notification was handled (tests, metrics)

    def head(self) -> CatalogHead | None:
        """The head while it is fresh; None when it must be read from the database."""
        with self._lock:
            if time.monotonic() - self._read_at > self.staleness:
                return None
            return self._head

    def offer(self, head: CatalogHead) -> None:
        """Take a head just read from the database, unless a newer one is already held (readers race)."""
        with self._lock:
            if self._head is not None and (head.seq, head.horizon) < (self._head.seq, self._head.horizon):
                return
            if self._head is None or (head.seq, head.horizon) != (self._head.seq, self._head.horizon):
                self._answers.clear()
                self._bytes = 0
            self._head, self._read_at = head, time.monotonic()

    def expire(self) -> None:
        """Forget the head's freshness (after this worker wrote): the next request reads the database."""
        with self._lock:
            self._read_at = float("-inf")

    def answer(self, head: CatalogHead, key: Hashable) -> Answer | None:
        with self._lock:
            if self._head is None or (head.seq, head.horizon) != (self._head.seq, self._head.horizon):
                return None
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def keep(self, head: CatalogHead, key: Hashable, answer: Answer) -> None:
        """Keep an answer made at `head` (the reader's own, consistent one) if that is still the newest."""
        self.offer(head)
        with self._lock:
            if self._head is None or (head.seq, head.horizon) != (self._head.seq, self._head.horizon):
                return
            if answer.encoded.size > MAX_ANSWER_BYTES or key in self._answers:
                return
            self._answers[key] = answer
            self._bytes += answer.encoded.size
            while len(self._answers) > MAX_ANSWERS or self._bytes > MAX_ANSWER_BYTES:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= dropped.encoded.size


class Listener:
    """A thread holding one LISTEN connection: re-reads the head on every notification and periodically."""

    def __init__(self, cache: CatalogCache, conninfo: str, read_head: Callable[[], CatalogHead]) -> None:
        self.cache, self.conninfo, self.read_head = cache, conninfo, read_head
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="skinlens-catalog-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                self._listen()
                backoff = 0.1
            except Exception as exc:  # the database went away: serve within the staleness bound, reconnect
                log.warning("catalog listener lost its connection: %s", str(exc).splitlines()[0] if str(exc) else exc)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, max(self.cache.staleness / 3, 0.1))

    def _listen(self) -> None:
        interval = max(self.cache.staleness / 3, 0.05)
        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._refresh(notified=True)  # anything committed before LISTEN took effect
            read_at = time.monotonic()
            while not self._stop.is_set():
                notified = False
                for _ in conn.notifies(timeout=min(interval, STOP_CHECK_SECONDS), stop_after=1):
                    notified = True
                if notified:  # drain the others that came with it: one re-read covers them all
                    for _ in conn.notifies(timeout=0):
                        pass
                if notified or time.monotonic() - read_at >= interval:
                    self._refresh(notified)
                    read_at = time.monotonic()

    def _refresh(self, notified: bool) -> None:
        head = self.read_head()
        self.cache.offer(head)
        if notified:
            self.cache.notified_seq = head.seq
