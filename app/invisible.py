"""Invisible format characters (Unicode category Cf): zero-width spaces and joiners, direction marks, embeddings,
overrides and isolates, the word joiner, soft hyphens, byte-order marks. No name, code or text of this system
needs one; kept, they make a blank "filled" field, a name shown reversed (U+202E) on a public list, or an identity
number that slips past a personal-data check."""
import re

from werkzeug.datastructures import ImmutableMultiDict

INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def strip_invisible(text: str) -> str:
    return INVISIBLE.sub("", text)


def without_invisible(values: ImmutableMultiDict) -> ImmutableMultiDict:
    """The same keys and values, in order, with the invisible characters dropped."""
    return ImmutableMultiDict([(k, strip_invisible(v)) for k, vs in values.lists() for v in vs])
