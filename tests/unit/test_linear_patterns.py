"""Patterns run over what anyone can send (a PDF on the anonymous report form, a contact address, a text to publish,
a JSON body) take time in proportion to the input: each was once tried at every position of a long crafted run and
cost quadratic time (minutes to hours of a worker for a megabyte)."""
import time

import pytest


def _timed(pattern, data, method="search"):
    t0 = time.perf_counter()
    result = getattr(pattern, method)(data)
    if method == "finditer":
        result = list(result)
    return result, time.perf_counter() - t0


def test_pdf_object_headers_are_found_in_one_pass():
    from app.file_checks import PDF_OBJ_START

    assert [m.start() for m in PDF_OBJ_START.finditer(b"x 12 0 obj<<>> 3 0 obj")] == [2, 15]
    found, took = _timed(PDF_OBJ_START, b"1" * 100_000, "finditer")
    assert found == [] and took < 1.0  # (40 KB took 7 s before: these 100 KB, about a minute)


def test_a_crafted_contact_address_is_refused_at_once(app):
    from app.public_reports.services import _CONTACT

    for ok in ("a@b.cn", "zhang.san@mail.gov.cn", "13800138000", "028-1234 5678"):
        assert _CONTACT.match(ok), ok
    for bad in ("a@b", "a@.cn", "a@b..cn", "a b@c.cn", "a@b.cn.", "@b.cn"):
        assert not _CONTACT.match(bad), bad
    found, took = _timed(_CONTACT, "a@" + "b." * 50_000 + " ", "match")
    assert found is None and took < 1.0  # (8 KB took 0.55 s before: these 100 KB, about a minute and a half)


@pytest.mark.parametrize("text", ["a" * 200_000, "a@" + "b" * 200_000, "a@" * 100_000])
def test_personal_data_is_looked_for_in_one_pass(app, text):
    from app.supervision.services import _PERSONAL

    assert _PERSONAL.findall("联系 zhang@mail.cn 或 13800138000") == ["zhang@mail.cn", "13800138000"]
    found, took = _timed(_PERSONAL, text, "findall")
    assert found == [] and took < 1.0  # (20 KB of one word took 0.57 s before: 200 KB, about a minute)


@pytest.mark.parametrize("body", [b"stream\n" * 20_000, b"1 0 obj<</Length 3>>stream\nabc\nendstream endobj\n" + b"stream\n" * 20_000])
def test_a_pdf_of_stream_keywords_without_their_end_is_checked_in_one_pass(body):
    """A stream's data runs to its "endstream": with none after a "stream", the search read to the end of the file,
    once per such keyword (70 KB of them took 15 s; these 140 KB, about a minute)."""
    from app.file_checks import pdf_problem

    t0 = time.perf_counter()
    assert pdf_problem(b"%PDF-1.4\n" + body + b"%%EOF\n") is None
    assert time.perf_counter() - t0 < 1.0


def test_a_pdf_whose_predictor_would_unpack_megabytes_is_refused_at_once():
    """pypdf undoes a PNG predictor byte by byte in Python: 70 MB behind a 70 KB stream took 11 s of a worker."""
    import zlib

    from app.file_checks import pdf_problem

    comp = zlib.compress(b"".join(b"\x04" + b"\x00" * 100_000 for _ in range(700)), 9)
    pdf = (b"%PDF-1.4\n1 0 obj<</Length " + str(len(comp)).encode() + b"/Filter/FlateDecode/DecodeParms<</Predictor 12"
           b"/Columns 100000>>>>stream\n" + comp + b"\nendstream\nendobj\ntrailer<<>>\n%%EOF\n")
    t0 = time.perf_counter()
    assert "too large to check" in str(pdf_problem(pdf))
    assert time.perf_counter() - t0 < 1.0


def test_every_part_of_an_office_file_is_searched_for_a_dtd_beyond_what_is_parsed():
    """Parsing is bounded (8 MB of small elements took 11 s); a DTD is looked for in every part, UTF-16 ones too."""
    import io
    import zipfile

    from app.file_checks import MAX_XML_PARSED, zip_problem

    def docx(*parts: bytes) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for n, part in enumerate(parts):
                z.writestr(f"word/p{n}.xml", part)
        return buf.getvalue()

    import random

    rnd = random.Random(5)  # (random attributes: a file that compresses like a real one, not refused as a bomb)
    filler = b'<?xml version="1.0"?><r>' + b"".join(b'<b a="%d"/>' % rnd.randrange(10 ** 6) for _ in range(MAX_XML_PARSED // 12)) + b"</r>"
    dtd = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><w>&a;</w>'
    assert zip_problem(docx(filler, b'<?xml version="1.0"?><w/>')) is None
    assert zip_problem(docx(filler, dtd)) is not None  # (past the parsed part: found by the search)
    assert zip_problem(docx(dtd.decode().encode("utf-16"))) is not None
    assert zip_problem(docx(dtd.decode().replace("DOCTYPE", "doctype").encode())) is not None


def test_a_form_takes_at_most_ten_files_at_once(app):
    """Every file's content is checked: hundreds of small crafted files in one request would add up."""
    from app.cases.attachments import MAX_FILES, Upload, validate_uploads
    from app.errors import DomainError

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with app.app_context():
        validate_uploads([Upload(f"{n}.pdf", pdf) for n in range(MAX_FILES)], "files")
        with pytest.raises(DomainError) as refused:
            validate_uploads([Upload(f"{n}.pdf", pdf) for n in range(MAX_FILES + 1)], "files")
        assert "10" in str(refused.value.errors[0][1])
