"""Key rotation: every sealed value (columns of type Sealed, keys of SealedJSON objects) re-sealed under the
current key, in batches each committed on its own, so the servers go on working meanwhile (they hold every key
of the key file until the rotation has re-sealed the last value and drops the old ones)."""
from collections import Counter

import sqlalchemy as sa

from app.crypto import is_sealed, keyring
from app.crypto.columns import Sealed, SealedJSON
from app.extensions import db

BATCH = 500
# Other sealed stores (the stored files, app/blobs) register (name, keys_in_use() -> {kid: n}, reseal(echo) -> n).
_OTHERS: list = []


def register(name: str, keys_in_use_fn, reseal_fn) -> None:
    if name not in [n for n, _, _ in _OTHERS]:
        _OTHERS.append((name, keys_in_use_fn, reseal_fn))


def sealed_columns() -> list[tuple[sa.Table, sa.Column]]:
    return [(t, c) for t in db.metadata.sorted_tables for c in t.columns if isinstance(c.type, (Sealed, SealedJSON))]


def _raw(col):
    return sa.type_coerce(col, sa.JSON if isinstance(col.type, SealedJSON) else sa.String)


def _values(raw, col):
    if isinstance(col.type, SealedJSON):
        return [v for v in raw.values() if is_sealed(v)] if isinstance(raw, dict) else []
    return [raw] if is_sealed(raw) else []


def _batches(table, col):
    """(primary key, raw stored value) of every row with a value in the column, BATCH rows per query (keyset
    paging on the primary key: rows re-sealed meanwhile are not read twice)."""
    pk = list(table.primary_key.columns)[0]
    stmt = sa.select(pk, _raw(col)).where(col.is_not(None)).order_by(pk).limit(BATCH)
    last = None
    while rows := db.session.execute(stmt.where(pk > last) if last is not None else stmt).all():
        yield pk, rows
        last = rows[-1][0]


def keys_in_use() -> Counter:
    """How many sealed values each key id seals (read in batches)."""
    used: Counter = Counter()
    for table, col in sealed_columns():
        for _pk, rows in _batches(table, col):
            for _, raw in rows:
                used.update(v.split(":", 2)[1] for v in _values(raw, col))
    for _name, count, _reseal in _OTHERS:
        used.update(count())
    db.session.rollback()
    return used


def reseal_all(echo=lambda msg: None) -> int:
    """Re-seal every value not sealed with the current key; returns how many values changed."""
    ring, changed = keyring(), 0
    for table, col in sealed_columns():
        purpose, n = col.type.purpose, 0
        for pk, rows in _batches(table, col):
            for key, raw in rows:
                if isinstance(col.type, SealedJSON):
                    stale = {k: v for k, v in raw.items() if is_sealed(v) and ring.key_of(v) != ring.current} \
                        if isinstance(raw, dict) else {}
                    if stale:
                        new = dict(raw, **{k: ring.seal(ring.open(v, f"{purpose}.{k}"), f"{purpose}.{k}") for k, v in stale.items()})
                        db.session.execute(sa.update(table).where(pk == key).values({col.name: _raw_bind(new)}))
                        n += len(stale)
                elif is_sealed(raw) and ring.key_of(raw) != ring.current:
                    db.session.execute(sa.update(table).where(pk == key)
                                       .values({col.name: sa.literal(ring.seal(ring.open(raw, purpose), purpose), sa.String)}))
                    n += 1
            db.session.commit()
        if n:
            echo(f"{table.name}.{col.name}: {n} re-sealed")
        changed += n
    for _name, _count, reseal in _OTHERS:
        changed += reseal(echo)
    return changed


def _raw_bind(obj):
    return sa.literal(obj, sa.JSON)
