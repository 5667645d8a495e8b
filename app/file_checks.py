"""Checks of an uploaded file's content beyond its type: what a file of an allowed type may still carry.

- PDF: no JavaScript or actions that run when the file is opened (/JavaScript, /JS, /OpenAction, /Launch,
  /AA, /EmbeddedFiles, /EF, /EmbeddedFile, /RichMedia, /XFA) outside encoded stream data (compressed bytes and a
  scan's pixels spell such names by chance), and inside streams (object streams), which are decoded to look with
  every filter their dictionary names (Flate with predictors, ASCIIHex, ASCII85, LZW, RunLength, chains: pypdf's
  decoders), and also when a name is written with #xx escapes (/Open#41ction is /OpenAction to a reader). A
  stream whose dictionary or filters cannot be read, and an encrypted PDF, cannot be checked and are refused.
- Any type: nothing after the end of the file format (e.g. HTML appended to a PNG, a "polyglot").
- DOCX/XLSX (zip containers): a bounded number of parts and total uncompressed size (zip bombs), no paths
  leaving the archive, no macros, and their XML parts parsed with defusedxml (no entities, no DTDs).
- File names: no control or bidirectional-override characters (a name that displays as "report.pdf" but
  is "fdp.exe"), no path separators.
Each check returns the reason as a message, or None."""
import bisect
import io
import re
import unicodedata
import zipfile
import zlib

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from pypdf import apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.filters import decode_stream_data
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject, read_object

from app.i18n import lazy_gettext as _l

MAX_ZIP_PARTS = 2000
MAX_ZIP_TOTAL = 100 * 1024 * 1024  # uncompressed
MAX_ZIP_RATIO = 200  # uncompressed / compressed, per part
# (files carried inside: the catalog's name tree /EmbeddedFiles, a file specification's /EF, the stream's /EmbeddedFile)
ACTIVE_NAMES = (b"JavaScript", b"JS", b"OpenAction", b"Launch", b"AA", b"EmbeddedFiles", b"EmbeddedFile", b"EF",
                b"RichMedia", b"XFA")
PDF_ACTIVE = re.compile(rb"/(" + b"|".join(ACTIVE_NAMES) + rb")\b")
# A name with at least one #xx escape (PDF 1.2+: any character of a name may be written so); delimiters end it.
_NAME_CHAR = rb"[^\x00\t\n\x0c\r /\[\]()<>{}%]"
PDF_ESCAPED_NAME = re.compile(rb"/(" + _NAME_CHAR + rb"*#[0-9A-Fa-f]{2}" + _NAME_CHAR + rb"*)")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# A stream's data: after "stream" and its end of line (CRLF, LF, a lone CR or spaces first, which readers take too), up to
# "endstream", with or without an end of line before it. Where the dictionary gives the length, that is used.
PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream[ \t]*(?:\r\n|\n|\r)(.*?)(?:\r\n|\n|\r)?endstream", re.S)
MAX_INFLATE = 64 * 1024 * 1024  # (all streams together; an upload is at most 10 MB)
SLOW_DECODE_MAX = 4 * 1024 * 1024  # (of those, decoded by pypdf's Python decoders: about 0.16 s per MB)


# Characters that print as nothing though they are not whitespace (Braille blank, Hangul fillers).
_BLANKS = frozenset("\u2800\u3164\uffa0\u115f\u1160")


def _visible(name: str) -> bool:
    return any(not (ch.isspace() or ch == "." or ch in _BLANKS) for ch in name)


def name_problem(filename: str):
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in filename):
        return _l("File name %(name)s contains control or direction characters.", name=filename.encode("unicode_escape").decode())
    if "/" in filename or "\\" in filename:
        return _l("File name %(name)s contains a path.", name=filename)
    if not _visible(filename.rsplit(".", 1)[0]):  # ("   .pdf": shown and downloaded as a name of spaces)
        return _l("The file %(name)s has no name before its extension: rename it and upload it again.", name=filename)
    return None


class _TooMuchToInflate(Exception):
    """The compressed streams inflate to more than MAX_INFLATE: what lies beyond could not be looked at."""


class _Unreadable(Exception):
    """A stream's dictionary or filters could not be read: what it holds could not be looked at."""


# The object a stream belongs to starts at the last "N G obj" before it; its dictionary lies between the two.
# (starting only where a number starts: tried inside a long run of digits it cost quadratic time, 7 s for 40 KB)
PDF_OBJ_START = re.compile(rb"(?<!\d)\d+\s+\d+\s+obj\b")
# Filters of image data (pixels, not PDF objects: a reader takes no names from them), left as they are.
IMAGE_FILTERS = frozenset({"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF"})


PDF_INT_OBJECT = re.compile(rb"(?<!\d)(\d+)\s+(\d+)\s+obj\s*(\d+)\s*endobj")


class _Document:
    """What every stream's lookups need, found in one pass over the file each (a document of thousands of streams
    searched again for each of them took half a minute)."""

    def __init__(self, data: bytes):
        self.data = data
        self.obj_ends = [(m.start(), m.end()) for m in PDF_OBJ_START.finditer(data)]
        self._starts = [s for s, _e in self.obj_ends]
        self._numbers = None

    def object_before(self, at: int) -> int | None:
        """Where the dictionary of the object whose stream starts at `at` begins (after its "N G obj")."""
        i = bisect.bisect_left(self._starts, at) - 1
        return self.obj_ends[i][1] if i >= 0 else None

    def number(self, num: bytes, gen: bytes) -> int | None:
        """The value of an object that is a plain number (an indirect /Length)."""
        if self._numbers is None:
            self._numbers = {(int(m.group(1)), int(m.group(2))): int(m.group(3)) for m in PDF_INT_OBJECT.finditer(self.data)}
        return self._numbers.get((int(num), int(gen)))


def _stream_dictionary(doc: _Document, stream_at: int):
    begins = doc.object_before(stream_at)
    if begins is None:
        raise _Unreadable
    head = doc.data[begins:stream_at].strip()
    try:
        parsed = read_object(io.BytesIO(head), None)
    except Exception as exc:  # noqa: BLE001  (pypdf's parser raises many kinds on what is not a dictionary)
        raise _Unreadable from exc
    if not isinstance(parsed, DictionaryObject):
        raise _Unreadable
    return parsed, head


def _filters(dictionary) -> list[str]:
    f = dictionary.get("/Filter")
    if f is None:
        return []
    if isinstance(f, NameObject):
        return [str(f)]
    if isinstance(f, ArrayObject) and all(isinstance(x, NameObject) for x in f):
        return [str(x) for x in f]
    raise _Unreadable


PDF_LENGTH = re.compile(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R)?")


def _length(doc: _Document, head: bytes) -> int | None:
    """The stream's /Length: a number in its dictionary, or the number an indirect reference (N G R) points to
    (read from the dictionary's text: pypdf parses a reference only with a whole document)."""
    m = PDF_LENGTH.search(head)
    if m is None:
        return None
    if m.group(2) is None:
        return int(m.group(1))
    return doc.number(m.group(1), m.group(2))


def _stream_data(doc: _Document, m, head: bytes) -> bytes:
    """The stream's bytes as a reader takes them: /Length bytes from its start when that length is known and
    plausible (an "endstream" inside compressed data does not cut it short), else up to the first "endstream"."""
    start = m.start(1)
    length = _length(doc, head)
    if length is not None and 0 <= length <= len(doc.data) - start:
        return doc.data[start:start + length]
    return m.group(1)


def _decoded(doc: _Document, m, budget: int, slow_budget: int) -> bytes | None:
    """The stream's content as a reader decodes it (None: image data, or not compressed)."""
    dictionary, head = _stream_dictionary(doc, m.start())
    filters = _filters(dictionary)
    if not filters or set(filters) <= IMAGE_FILTERS or dictionary.get("/Subtype") == "/Image":
        return None  # (pixels, not PDF objects: a reader takes no names from an image's data)
    raw = _stream_data(doc, m, head)
    if filters == ["/FlateDecode"] and "/DecodeParms" not in dictionary:
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(raw, budget)
        except zlib.error as exc:
            raise _Unreadable from exc
        if inflater.unconsumed_tail:
            raise _TooMuchToInflate
        return out
    stream = StreamObject()
    stream.update({k: v for k, v in dictionary.items() if k != "/Length"})
    stream._data = raw
    # pypdf undoes predictors and LZW or run-length coding in Python, byte by byte (70 MB behind a 70 KB stream took
    # 11 s): what it may produce is the file's budget for such decoding (SLOW_DECODE_MAX), not pypdf's own 75 MB.
    limit = max(0, min(budget, slow_budget))
    try:
        with apply_configuration(zlib_maximum_output_length=limit, lzw_maximum_output_length=limit,
                                 run_length_maximum_output_length=limit,
                                 array_based_stream_maximum_output_length=limit,
                                 stream_decoding_work_maximum_length=2 * limit + len(raw)):
            out = decode_stream_data(stream)
    except LimitReachedError as exc:
        raise _TooMuchToInflate from exc
    except Exception as exc:  # noqa: BLE001  (an unknown filter, bad parameters, damaged data)
        raise _Unreadable from exc
    return _SlowlyDecoded(out if isinstance(out, bytes) else str(out).encode())


class _SlowlyDecoded(bytes):
    """Bytes that pypdf's Python decoders produced (counted against SLOW_DECODE_MAX)."""


def _decoded_streams(data: bytes):
    total = 0
    doc = _Document(data)
    # Searched only up to the last "endstream": from a "stream" with none after it, the lazy search read to the end of
    # the file, once per such "stream" (quadratic: 70 KB of them took 15 s of a worker).
    last = data.rfind(b"endstream")
    slow = 0  # (bytes decoded by pypdf's Python decoders)
    for m in PDF_STREAM.finditer(data, 0, last + len(b"endstream") if last >= 0 else 0):
        out = _decoded(doc, m, MAX_INFLATE - total, SLOW_DECODE_MAX - slow)
        if out is None:
            continue
        if isinstance(out, _SlowlyDecoded):
            slow += len(out)
        total += len(out)
        if total >= MAX_INFLATE:
            # (stopping quietly here would let a first stream of zeros hide the actions in the ones after it)
            raise _TooMuchToInflate
        yield out


def _escaped_names(data: bytes):
    """Names written with #xx escapes, as a reader reads them (/Open#41ction is OpenAction)."""
    return (PDF_NAME_ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), m.group(1)) for m in PDF_ESCAPED_NAME.finditer(data))


def _active(data: bytes) -> bool:
    if PDF_ACTIVE.search(data):
        return True
    return any(name in ACTIVE_NAMES for name in _escaped_names(data))


def _encrypted(data: bytes) -> bool:
    return bool(re.search(rb"/Encrypt\b", data)) or any(name == b"Encrypt" for name in _escaped_names(data))


def _encoded_data_blanked(data: bytes) -> bytes:
    """The file with the data of its encoded streams blanked: compressed bytes (a font's, a page's) and pixels (a scan's
    JPEG) are never read as PDF objects, and spell "/AA", "/JS" or "/EF" by chance (one of our own decision documents in
    about seventy was refused). What such a stream holds is searched decoded (_decoded_streams; pixels are not). Only an
    unencoded stream's bytes are its content, and stay. Data that holds the keyword "obj" anywhere (an object a
    cross-reference could point into) is left to be searched."""
    doc, out, at = None, [], 0
    last = data.rfind(b"endstream")
    for m in PDF_STREAM.finditer(data, 0, last + len(b"endstream") if last >= 0 else 0):
        doc = doc or _Document(data)
        try:
            dictionary, head = _stream_dictionary(doc, m.start())
            filters = _filters(dictionary)
        except _Unreadable:
            continue  # (searched as it is; _decoded_streams refuses what it cannot read)
        if not (filters or dictionary.get("/Subtype") == "/Image"):
            continue
        start = m.start(1)
        end = start + len(_stream_data(doc, m, head))
        # (any "obj" keyword: a reader's whitespace between "N G obj" includes NUL, and keywords cannot be escaped)
        if end <= at or data.find(b"obj", start, end) >= 0:
            continue
        out += [data[at:start], b" " * (end - start)]
        at = end
    return b"".join(out) + data[at:] if out else data


def pdf_problem(data: bytes):
    plain = _encoded_data_blanked(data)
    if _encrypted(plain):
        return _l("The PDF is encrypted (password or permission protection) and cannot be checked for scripts; save an "
                  "unprotected copy (e.g. print to PDF).")
    try:
        active = _active(plain) or any(_active(s) for s in _decoded_streams(data))
    except _TooMuchToInflate:
        return _l("The PDF's compressed content is too large to check for scripts; save it again smaller (e.g. print "
                  "to PDF) or split it.")
    except _Unreadable:
        return _l("The PDF's content could not be read to check it for scripts; save it again (e.g. print to PDF).")
    if active:
        return _l("The PDF contains scripts, automatic actions or attached files; save it again without them (e.g. print to PDF).")
    tail = data.rstrip()[-1024:]
    if not tail.endswith(b"%%EOF"):
        return _l("The file has content after its end; only the document itself may be uploaded.")
    return None


def image_problem(kind: str, data: bytes):
    end = {"png": b"IEND\xaeB`\x82", "jpg": b"\xff\xd9", "jpeg": b"\xff\xd9"}[kind]
    if not data.rstrip(b"\x00").endswith(end):
        return _l("The file has content after its end; only the document itself may be uploaded.")
    return None


def zip_problem(data: bytes, depth: int = 0, budget: dict | None = None):
    """Why this Office package is refused, or None. `budget`: what the package and those inside it (a chart's workbook)
    may unpack and parse together, so that nesting does not multiply the limits."""
    budget = budget if budget is not None else {"total": 0, "parsed": 0}
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError):
        return _l("The file is damaged or not a valid document.")
    budget["total"] += sum(i.file_size for i in infos)
    if len(infos) > MAX_ZIP_PARTS or budget["total"] > MAX_ZIP_TOTAL or any(
            i.compress_size and i.file_size / i.compress_size > MAX_ZIP_RATIO for i in infos):
        return _l("The document expands to far more than its size (a compressed bomb) and is refused.")
    embedded = 0
    for i in infos:
        if i.filename.startswith("/") or ".." in i.filename.split("/"):
            return _l("The document contains paths outside itself and is refused.")
        name = i.filename.lower()
        if name.endswith("vbaproject.bin"):
            return _l("The document contains macros; save it as a document without macros.")
        if depth == 0 and "/embeddings/" in name and name.endswith(_EMBEDDED_OFFICE):
            # (a chart's data: a workbook inside the document, itself checked as an upload within the same budget)
            embedded += 1
            if embedded > MAX_EMBEDDED:
                return ACTIVE_CONTENT
            try:
                inner = zf.read(i)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
                return _l("The file is damaged or not a valid document.")
            problem = zip_problem(inner, depth + 1, budget)
            if problem is not None:
                return problem
            continue
        if any(marker in name for marker in _ACTIVE_PARTS):
            return ACTIVE_CONTENT
        if name.endswith("/") or name.endswith(_BINARY_PARTS):
            continue
        try:
            part = zf.read(i)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
            # (a damaged part, a wrong checksum, an encrypted part, a compression method zipfile cannot read)
            return _l("The file is damaged or not a valid document.")
        if not name.endswith((".xml", ".rels")):
            # Word finds its parts by relationship, not by name: a part under another name (VML drawings, SVG pictures,
            # HTML chunks — not always well-formed XML, and SVG may carry a DOCTYPE) is only searched for DDE fields.
            if _looks_like_xml(part) and _active_bytes(name, _as_utf8(part)) is not None:
                return DDE_CONTENT
            continue
        if _declares_dtd(part):
            return _l("The document contains unsafe or invalid XML and is refused.")
        tree = None
        budget["parsed"] += len(part)
        if name.endswith(".rels") and len(part) > MAX_RELS:
            return _l("The document contains unsafe or invalid XML and is refused.")
        if budget["parsed"] <= MAX_XML_PARSED or name.endswith(".rels"):  # (beyond the limit only searched)
            try:
                tree = SafeET.fromstring(part, forbid_dtd=True)
            except (DefusedXmlException, SafeET.ParseError):  # (first: DefusedXmlException is a ValueError too)
                return _l("The document contains unsafe or invalid XML and is refused.")
            except ValueError:  # (a multi-byte encoding such as GBK declared: valid XML this parser cannot read)
                return _l("The document's XML declares an encoding other than UTF-8 (e.g. GBK): open it in Word or Excel, "
                          "save it again as a .docx or .xlsx file and upload it again.")
        active = _active_xml(name, part, tree)
        if active is not None:
            return active
    return None


# Parsing an Office file's XML costs about 0.2 s per MB of small elements (8 MB of them, 57 MB unpacked, took a worker
# 11 s): its parts are parsed (for broken XML) up to this much, and every part is searched for a DTD, the one place
# entities can be declared (XXE, billion laughs).
MAX_XML_PARSED = 4 * 1024 * 1024


def _as_utf8(part: bytes) -> bytes:
    head = part[:4]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:  # (UTF-16, by its byte order mark or its zero bytes)
        le = head[:2] == b"\xff\xfe" or (head[:1] != b"\x00" and head[1:2] == b"\x00")
        part = part.decode("utf-16-le" if le else "utf-16-be", errors="replace").encode("utf-8", errors="replace")
    return part


def _declares_dtd(part: bytes) -> bool:
    lowered = _as_utf8(part).lower()
    return b"<!doctype" in lowered or b"<!entity" in lowered


# Office content that acts when the file is opened, refused as the PDF check refuses /Launch, /EmbeddedFiles and
# /OpenAction: embedded objects and packages (a program inside an OLE object), ActiveX controls, links to other
# workbooks; relationships that load something from outside (an OLE object or template by URL: the "Follina" way),
# and fields or formulas that start another program (DDE). Hyperlinks stay: they open only when clicked.
_ACTIVE_PARTS = ("/embeddings/", "/activex/", "externallinks/")
_EMBEDDED_OFFICE = (".xlsx", ".docx", ".pptx")  # (Office packages without macros: a chart's data)
MAX_RELS = 1024 * 1024  # a part's relationships (a few kB in a real document), always parsed whole
MAX_EMBEDDED = 20  # workbooks inside one document (a chart's data each)
# Parts that are pictures, fonts or binary objects by their names: not read (a binary part under another name is
# read and skipped unless it is XML).
_BINARY_PARTS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".ttf", ".odttf", ".fntdata")
ACTIVE_CONTENT = _l("The document contains embedded objects, controls or links to outside content that act when it is "
                    "opened, and is refused: save it as a plain document (or print it to PDF) and upload it again.")
DDE_CONTENT = _l("The document contains fields or formulas that start other programs (DDE) and is refused.")
# Relationship types (the last part of their URI) that bring in an object, a control, another workbook or a template:
# refused wherever their target is (an embedded Office package, a chart's data, is checked as a part instead); any other relationship is refused only when it loads from outside
# (TargetMode External), a hyperlink excepted.
_ACTIVE_TYPES = ("oleobject", "control", "activexcontrolbinary", "externallink", "externallinkpath", "subdocument", "frame")
# A document made from a template names it (attachedTemplate), usually a file on the author's own disk (file:///C:/…
# or C:\…): common in office documents and harmless. One on a web address or a network share is how template injection
# loads code (and a share leaks the reader's credentials): refused.
_LOCAL_FILE = re.compile(r"^(?:file:/{3,4})?(?:[A-Za-z]:[\\/]|/?(?:Users|Applications|Library|home)/)")


def _looks_like_xml(part: bytes) -> bool:
    head = _as_utf8(part[:64]).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _active_xml(name: str, part: bytes, tree):
    """Why this XML part acts when the document is opened, or None. `tree`: the part parsed (entities and character
    references resolved, as Word reads them), or None for a part beyond the parsing limit (searched as bytes)."""
    if tree is None:
        return _active_bytes(name, _as_utf8(part))
    if name.endswith(".rels"):
        for el in tree.iter():
            if _local(el.tag) != "Relationship":
                continue
            kind = (el.get("Type") or "").rstrip("/").rsplit("/", 1)[-1].lower()
            external = (el.get("TargetMode") or "").strip().lower() == "external"
            if kind == "attachedtemplate":
                if external and not _LOCAL_FILE.match((el.get("Target") or "").strip()):
                    return ACTIVE_CONTENT
            elif kind in _ACTIVE_TYPES or (external and kind != "hyperlink"):
                return ACTIVE_CONTENT
        return None
    # A field's code may be split over runs (DD + EAUTO): Word reads the pieces between a field's begin and its
    # separator as one code, and runs DDE or DDEAUTO when it is the code's first word.
    codes, formulas, fields, loose = [], [], [], []
    for el in tree.iter():
        local = _local(el.tag)
        if local == "fldChar":
            kind = next((v for k, v in el.attrib.items() if _local(k) == "fldCharType"), "")
            if kind == "begin":
                fields.append([])
            elif kind in ("separate", "end") and fields:
                codes.append("".join(fields.pop()))
        elif local == "instrText":
            (fields[-1] if fields else loose).append(el.text or "")
        elif local == "f":
            formulas.append(el.text or "")
        for key, value in el.attrib.items():
            if _local(key) == "instr":  # (a simple field: its whole code in one attribute)
                codes.append(value)
    codes += ["".join(f) for f in fields] + ["".join(loose)]  # (a field never closed; pieces outside any field)
    if any(_runs_dde(c) for c in codes) or any(_dde_formula_text(f) for f in formulas):
        return DDE_CONTENT
    return None


def _runs_dde(code: str) -> bool:
    words = code.split()
    return bool(words) and words[0].upper() in ("DDE", "DDEAUTO")


# after a "|" in a formula, a topic (quoted or bare) and "!": program|topic!item (=cmd|' /C calc'!A0), not "|" in a string
_DDE_TOPIC = re.compile(r"\s*(?:'[^']*'|[\w.]+)\s*!")
_DDE_CALL = re.compile(r"\bDDE(?:AUTO)?\s*\(", re.I)


def _dde_formula_text(text: str) -> bool:
    if _DDE_CALL.search(text):
        return True
    at = text.find("|")
    while at != -1:
        if _DDE_TOPIC.match(text, at + 1):
            return True
        at = text.find("|", at + 1)
    return False


# A part too large to parse is searched as bytes (each pattern stops at the next tag: an attribute cannot hold "<",
# so a crafted run costs one pass).
_FIELD_TOKEN = re.compile(rb"""<(?:\w+:)?fldChar\b[^<>]*?fldCharType\s*=\s*["'](begin|separate|end)["']|"""
                          rb"""<(?:\w+:)?instrText\b[^<>]*>([^<]*)<""", re.I)
_INSTR_ATTR = re.compile(rb"""\binstr\s*=\s*["']([^"'<>]*)""", re.I)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^<>]*>([^<]*)", re.I)


def _active_bytes(name: str, part: bytes):
    codes, fields, loose = [], [], []
    for m in _FIELD_TOKEN.finditer(part):
        if m.group(1) is not None:
            kind = m.group(1).lower()
            if kind == b"begin":
                fields.append([])
            elif fields:
                codes.append(b"".join(fields.pop()))
        else:
            (fields[-1] if fields else loose).append(m.group(2))
    codes += [b"".join(f) for f in fields] + [b"".join(loose)] + _INSTR_ATTR.findall(part)
    if any(_runs_dde(c.decode("utf-8", "replace")) for c in codes) or any(
            _dde_formula_text(m.group(1).decode("utf-8", "replace")) for m in _FORMULA.finditer(part)):
        return DDE_CONTENT
    return None


def content_problem(kind: str, data: bytes):
    """The reason this file (of an allowed type, by its content) is still refused, or None."""
    if kind == "pdf":
        return pdf_problem(data)
    if kind in ("png", "jpg", "jpeg"):
        return image_problem(kind, data)
    if kind in ("docx", "xlsx"):
        return zip_problem(data)
    return None


def xml_problem(data: bytes):
    """For XML a user uploads to be parsed (BPMN): no DTD, no entities (XXE, billion laughs)."""
    try:
        SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        return _l("The file declares a DTD or entities, which are not accepted.")
    except ValueError:  # the parser reads UTF-8, UTF-16 and single-byte encodings only (GBK declared: "multi-byte encodings are not supported")
        return _l("The file declares an encoding other than UTF-8: save it as UTF-8 and upload it again.")
    except SafeET.ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        lead = _l("it is not well-formed XML (line %(line)s)", line=line) if line else _l("it is not well-formed XML")
        return _l("%(lead)s. Technical detail: %(detail)s", lead=lead, detail=str(exc))
    return None


def size_problem(filename: str, data: bytes, limit: int):
    """A file read one byte past `limit` (the route reads no more) is too large: said so, not taken for a damaged file."""
    if len(data) > limit:
        mb = limit // (1024 * 1024)
        return _l("File %(name)s is larger than %(mb)s MB.", name=filename, mb=mb) if filename else \
            _l("The file is larger than %(mb)s MB.", mb=mb)
    return None
