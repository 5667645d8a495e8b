"""The limiter's in-process counters: limits hold as with limits' memory://, without a thread started per hit."""
import threading

from limits import RateLimitItemPerSecond, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.rate_storage import ProcessMemoryStorage


def test_counts_and_refuses_like_memory_storage_without_starting_threads(monkeypatch):
    storage = storage_from_string("process-memory://")
    assert isinstance(storage, ProcessMemoryStorage)
    limiter, limit = FixedWindowRateLimiter(storage), parse("3 per minute")
    started = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self) or real_start(self))
    answers = [limiter.hit(limit, "client-1") for _ in range(4)]
    assert answers == [True, True, True, False]
    assert limiter.hit(limit, "client-2")  # another key has its own window
    assert started == []  # (memory:// starts a timer thread after a hit whenever its last one has run)


def test_stale_keys_are_swept_inline(monkeypatch):
    storage = storage_from_string("process-memory://")
    clock = {"mono": 1000.0, "wall": 5000.0}
    monkeypatch.setattr("app.rate_storage.time.monotonic", lambda: clock["mono"])
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: clock["wall"])
    limiter = FixedWindowRateLimiter(storage)
    assert limiter.hit(RateLimitItemPerSecond(1), "old")
    [old_key] = storage.storage  # (limits names its keys LIMITER/<key>/<limit>)
    clock["mono"] += 2
    clock["wall"] += 2  # the window of "old" is over and a second has passed since the last sweep
    assert limiter.hit(RateLimitItemPerSecond(1), "new")
    assert old_key not in storage.storage and old_key not in storage.expirations and len(storage.storage) == 1


def test_a_sweep_racing_another_thread_does_not_fail_the_request(monkeypatch):
    """limits' sweep can meet a key another thread has just removed (KeyError): the hit is still counted."""
    storage = storage_from_string("process-memory://")

    def racing():
        raise KeyError("LIMITER/gone")

    monkeypatch.setattr(storage, "_MemoryStorage__expire_events", racing)
    limiter = FixedWindowRateLimiter(storage)
    assert limiter.hit(parse("2 per minute"), "k") and limiter.hit(parse("2 per minute"), "k")
    assert not limiter.hit(parse("2 per minute"), "k")
