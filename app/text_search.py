"""Substring search on names, titles and numbers that an index can serve at city scale.

On PostgreSQL a GIN index over each searched column's character bigrams (`xl_bigrams`, created by a
migration) finds the rows containing every bigram of the query, and `ILIKE` then checks the order. Bigrams
rather than pg_trgm's trigrams because many Chinese names are searched by two characters (张伟), which a
trigram index cannot serve, and because pg_trgm makes no trigrams from Chinese text under the C locale; a
bigram is just two characters, so it works under any UTF-8 locale. A query of one character (a surname)
would match a large share of every list; it is not searched by substring (MIN_CHARS), only exactly as a code.
SQLite keeps a plain `LIKE` scan (the embedded default holds a town's cases, not a city's)."""
import re

from sqlalchemy import func, literal, select, union

from app.extensions import db

MIN_CHARS = 2
# The GIN indexes over xl_bigrams(column) that the migration builds on PostgreSQL. They are not in the models
# (SQLite has no such index); schema comparison (`flask db check`, the migration test) leaves them alone.
SEARCH_INDEXES = ("ix_subject_name_bigrams", "ix_case_search_text_bigrams", "ix_case_number_bigrams")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: the expression indexes above are maintained by hand."""
    return not (type_ == "index" and name in SEARCH_INDEXES)


# No name, title or number is longer: a longer query finds nothing anyway, and SQLite refuses LIKE patterns past
# 50,000 characters (which would read as the database being down).
MAX_QUERY = 200


# Full-width letters, digits and hyphen (ＡＢ１２－, typed with a Chinese input method) as half-width.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}
_CODE_LIKE = re.compile(r"[0-9A-Za-z-]+")
_GROUPING = re.compile(r"[\s\-－—–]")


def normalise(q: str | None) -> str:
    """The query as searched: spaces collapsed; a code or number typed in full-width characters made half-width (a
    name keeps its characters as typed)."""
    q = " ".join((q or "").split())[:MAX_QUERY]
    half = q.translate(_HALF_WIDTH)
    # A whole code written in groups (9151 0400 MA70 0000 1F, 91510400-MA7000001F), as the credit check accepts it.
    compact = _GROUPING.sub("", half)
    # (mostly digits, as every code is: a name of eighteen letters in words, "Golden Dragon Trades", is not one)
    if compact != half and WHOLE_CODE.fullmatch(compact) and sum(c.isdigit() for c in compact) >= 12:
        return compact
    return half if _CODE_LIKE.fullmatch(half) else q


# A whole unified social credit code or resident identity number (18 letters and digits): looked up exactly. No
# name holds one, and as a substring its seventeen bigrams (mostly pairs of digits, in every code) would make the
# index intersect some of its longest lists.
WHOLE_CODE = re.compile(r"[0-9A-Za-z]{18}")


def searchable(q: str | None) -> bool:
    """A query to search names by substring: two characters or more, and not a whole code."""
    q = normalise(q)
    return len(q) >= MIN_CHARS and not WHOLE_CODE.fullmatch(q)


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def contains(column, q: str):
    """SQL condition: the column contains q (case-insensitive), served by the column's bigram index on
    PostgreSQL. q must be searchable()."""
    q = normalise(q)
    like = column.icontains(q, autoescape=True)
    if not _postgres():
        return like
    # The query's bigrams are computed by the same SQL function as the index, so both agree on lower().
    return func.xl_bigrams(column).op("@>")(func.xl_bigrams(literal(q))) & like


def public_subjects_matching(subject, q: str | None, person_kind: str):
    """SELECT of the ids of the subjects a public list's search finds. The lists show people (`person_kind`) masked
    (王某, 510***********1234): an organisation is found by any part of its name, a person only by the whole name or the
    whole number. A search by parts of a person's name would spell the masked name out two characters at a time."""
    q = normalise(q)
    by_code = select(subject.id).where(subject.code == q.upper())
    if not q or WHOLE_CODE.fullmatch(q):
        return by_code
    people = select(subject.id).where(subject.name == q, subject.kind == person_kind)
    if not searchable(q):
        return union(people, by_code)
    return union(select(subject.id).where(contains(subject.name, q), subject.kind != person_kind), people, by_code)
