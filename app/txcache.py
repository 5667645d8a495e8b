"""Reference data (a unit's successor and liaison, the entered calendar years, a unit's webhook clients, the
newest process version) read once per transaction while a batch of scheduler work runs: a midnight on which
thousands of periods end would otherwise ask the same questions for every firing. Only code that opts in
(`with txcache.enabled():`) caches, and it holds plain values, never ORM objects; the batch's owner calls
`clear()` after each commit, so nothing read under one transaction is trusted in the next."""
from contextlib import contextmanager

from app.extensions import db

_KEY = "txcache"


@contextmanager
def enabled():
    db.session.info[_KEY] = {}
    try:
        yield
    finally:
        db.session.info.pop(_KEY, None)


def clear() -> None:
    if _KEY in db.session.info:
        db.session.info[_KEY] = {}


def cached(key, compute):
    """compute(), remembered under `key` while caching is enabled (else computed every time)."""
    store = db.session.info.get(_KEY)
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def has(key) -> bool:
    """Whether caching is enabled and holds `key`."""
    store = db.session.info.get(_KEY)
    return store is not None and key in store
