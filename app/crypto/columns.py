"""Sealed columns for the models: `Sealed(purpose)` seals on write and opens on read, and `looked_up(...)` is
the attribute a model exposes for a sealed value that is also searched by exact value:

    code_sealed = mapped_column("code_sealed", Sealed("subject.code"))
    code_digest = mapped_column(String(64), unique=True)
    code = looked_up("code_sealed", "code_digest")

`Subject.code == x` and `Subject.code.in_(xs)` compare digests (the index on the digest column answers them);
selecting `Subject.code` returns the opened value; setting `subject.code = x` writes both columns. Anything
else on a sealed value (LIKE, ordering by value) is refused: the database only holds ciphertext."""
import json

from sqlalchemy import JSON, String, Text, TypeDecorator
from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.sql import operators

from app.crypto import digest, is_sealed, seal, unseal

SEALED_LENGTH = 255  # an 18-character code seals to about 60 characters; contact details up to 120 to about 230


class Sealed(TypeDecorator):
    """A string stored as SM4-GCM ciphertext bound to `purpose` (a value copied into another column fails to open)."""

    impl = String(SEALED_LENGTH)
    cache_ok = True

    def __init__(self, purpose: str, length: int = SEALED_LENGTH):
        super().__init__(length)
        self.purpose = purpose

    def process_bind_param(self, value, dialect):
        return seal(value, self.purpose)

    def process_result_value(self, value, dialect):
        return unseal(value, self.purpose)


class SealedDocument(Sealed):
    """A whole JSON document sealed as one value (a message that carries personal data anywhere inside it)."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str):
        super().__init__(purpose)
        self.impl = Text()

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(json.dumps(value, ensure_ascii=False, sort_keys=True), self.purpose)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(unseal(value, self.purpose))


class _ByDigest(Comparator):
    def __init__(self, sealed, digested):
        super().__init__(sealed)
        self.digested = digested

    def operate(self, op, *other, **kw):
        if op is operators.eq:
            return self.digested == digest(other[0]) if other[0] is not None else self.digested.is_(None)
        if op is operators.ne:
            return self.digested != digest(other[0]) if other[0] is not None else self.digested.is_not(None)
        if op is operators.in_op:
            return self.digested.in_([digest(v) for v in other[0]])
        if op in (operators.is_, operators.is_not):
            return op(self.digested, *other, **kw)
        raise NotImplementedError(f"a sealed value is found by exact value only (not {op.__name__})")

    def reverse_operate(self, op, other, **kw):
        return self.operate(op, other, **kw)


def looked_up(sealed_attr: str, digest_attr: str) -> hybrid_property:
    def fget(self):
        return getattr(self, sealed_attr)

    def fset(self, value):
        setattr(self, sealed_attr, value)
        setattr(self, digest_attr, digest(value))

    prop = hybrid_property(fget, fset)

    @prop.comparator
    def prop(cls):
        # (labelled with the attribute's name: `select(Subject.code)` gives rows with `.code`)
        return _ByDigest(getattr(cls, sealed_attr).label(sealed_attr.removesuffix("_sealed")), getattr(cls, digest_attr))

    return prop


class SealedJSON(TypeDecorator):
    """A JSON object some of whose string values are personal data: `which(obj)` names the keys to seal (each
    bound to purpose + "." + key). Sealed values are opened on read whatever the rule says now."""

    impl = JSON
    cache_ok = True

    def __init__(self, purpose: str, which):
        super().__init__()
        self.purpose, self.which = purpose, which

    def process_bind_param(self, value, dialect):
        if not isinstance(value, dict):
            return value
        keys = [k for k in self.which(value) if isinstance(value.get(k), str) and not is_sealed(value[k])]
        return dict(value, **{k: seal(value[k], f"{self.purpose}.{k}") for k in keys}) if keys else value

    def process_result_value(self, value, dialect):
        if not isinstance(value, dict) or not any(is_sealed(v) for v in value.values()):
            return value
        return {k: unseal(v, f"{self.purpose}.{k}") if is_sealed(v) else v for k, v in value.items()}
