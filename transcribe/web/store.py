"""Results kept in memory under random ids, bounded in number and age.

Nothing a client sends is ever a path: an id is only looked up in this dict.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import Options
from ..result import Transcription
from ..types import Audio


@dataclass(frozen=True, eq=False)
class Entry:
    """One transcription the page shows, with what re-rendering it needs.

    Attributes:
        name: The upload's name as shown to the user (never used as a path).
        audio: The decoded mono audio, kept for re-rendering with other options.
        options: The options it was made with.
        result: The transcription.
        report: The CLI's report line, naming ``name``.
        warnings: ``transcribe: warning: ...`` lines, as the CLI prints them.
        outputs: Rendered downloads by name, filled on first request.
    """

    name: str
    audio: Audio
    options: Options
    result: Transcription
    report: str
    warnings: tuple[str, ...]
    outputs: dict[str, Any] = field(default_factory=dict)


class ResultStore:
    """At most ``max_entries`` entries, each kept ``max_age_s`` seconds; the oldest go first.

    Thread-safe: worker threads add entries while the server's loop looks them up.
    """

    def __init__(self, *, max_entries: int = 8, max_age_s: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[float, Entry]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries, self.max_age_s, self._clock = max_entries, max_age_s, clock

    def add(self, entry: Entry) -> str:
        """Keep ``entry``; its new random id (URL-safe, 128 bits)."""
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._expire()
            self._entries[key] = (self._clock(), entry)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return key

    def get(self, key: str) -> Entry | None:
        """The entry under ``key``, or ``None`` when there is none (never was, or expired)."""
        with self._lock:
            self._expire()
            hit = self._entries.get(key)
        return None if hit is None else hit[1]

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._entries)

    def _expire(self) -> None:
        now = self._clock()
        while self._entries:
            key, (born, _) = next(iter(self._entries.items()))
            if now - born <= self.max_age_s:
                break
            del self._entries[key]
