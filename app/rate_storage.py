"""In-process counters for Flask-Limiter without the expiry thread of limits' `memory://` storage.

`memory://` restarts a 10 ms timer thread whenever a counter changes and the last timer has run: under a steady
stream of API calls that is a thread started, and an extra wake-up of the worker, for nearly every call (measured
on the credit check). Here stale keys are swept inline, at most once a second; reads already drop an expired
counter themselves (MemoryStorage.get), so limits are enforced exactly as before."""
import threading
import time

from limits.storage import MemoryStorage


class ProcessMemoryStorage(MemoryStorage):
    """`process-memory://`: MemoryStorage's counters and windows, swept inline instead of by a timer thread."""

    STORAGE_SCHEME = ["process-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0
        self._sweeping = threading.Lock()

    # MemoryStorage calls its private __schedule_expiry after every change (limits==5.8.0, pinned); this
    # replaces it (name-mangled) with the inline sweep.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep and self._sweeping.acquire(blocking=False):  # (one thread sweeps; the others go on)
            try:
                self._next_sweep = now + self.SWEEP_SECONDS
                self._MemoryStorage__expire_events()
            except KeyError:  # a key another thread removed meanwhile (its counter expired on read): swept next time
                pass
            finally:
                self._sweeping.release()
