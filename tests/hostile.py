"""Hostile and broken workbooks, built on the fly from a valid one (never committed).

Shared by tests/test_hostile_workbooks.py and bench/bench_hostile.py. Large files (a zip bomb, a million
rows) are written stream-wise: nothing here holds more than a few megabytes in memory. Each builder takes
a valid workbook ``src`` and writes ``out``; it returns ``out``.

Sheet parts of a workbook written by the project: sheet1 « Lisez-moi », sheet2 « Exécution financière »,
sheet3 « Indicateurs », sheet4 « Avenant », sheet5 « _modele ».
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

FINANCE_PART = "xl/worksheets/sheet2.xml"
INDICATORS_PART = "xl/worksheets/sheet3.xml"


def at(layout, sheet: str, key: str, field: str) -> str:
    """The cell of (sheet, key, field) in a template layout (``analysis.workbooks.template_layout``)."""
    hit = layout[(layout["sheet"] == sheet) & (layout["key"] == key) & (layout["field"] == field)]
    return hit["cell"].iloc[0]


# --------------------------------------------------------------------------------------------------
# Rewriting the parts of an archive
# --------------------------------------------------------------------------------------------------


def rewrite(src: Path, out: Path, changes: dict[str, Callable[[bytes], bytes]] | None = None,
            extra: dict[str, bytes] | None = None) -> Path:
    """Copy ``src`` to ``out`` applying ``changes`` (part name -> bytes -> bytes) and adding ``extra`` parts."""
    changes, extra = changes or {}, extra or {}
    with zipfile.ZipFile(src) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item.filename, changes[item.filename](data) if item.filename in changes else data)
        for name, data in extra.items():
            target.writestr(name, data)
    return out


def stream_part(src: Path, out: Path, name: str, chunks: Iterable[bytes], level: int = 1) -> Path:
    """Copy ``src`` to ``out`` replacing the part ``name`` by ``chunks``, written one by one (stream-wise)."""
    with zipfile.ZipFile(src) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item.filename, source.read(item.filename))
        with target.open(name, "w", force_zip64=True) as stream:
            for chunk in chunks:
                stream.write(chunk)
    return out


def sheet_around(src: Path, part: str = FINANCE_PART) -> tuple[bytes, bytes]:
    """A sheet's XML cut just before ``</sheetData>``: what goes before new rows, and after."""
    with zipfile.ZipFile(src) as archive:
        xml = archive.read(part)
    cut = xml.index(b"</sheetData>")
    return xml[:cut], xml[cut:]


def _rows(first: int, count: int, cell: Callable[[int], bytes], batch: int = 10_000) -> Iterable[bytes]:
    for start in range(first, first + count, batch):
        yield b"".join(b'<row r="%d">%s</row>' % (r, cell(r)) for r in range(start, min(start + batch, first + count)))


# --------------------------------------------------------------------------------------------------
# Hostile workbooks
# --------------------------------------------------------------------------------------------------


def far_formatted_cell(src: Path, out: Path, value: bytes | None = None) -> Path:
    """One formatted cell at XFD1048576 (empty, or holding ``value``), the dimension declaring the whole grid."""
    before, after = sheet_around(src)
    inner = b"<v>%s</v>" % value if value is not None else b""
    before, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', before)
    assert n == 1
    cell = b'<row r="1048576"><c r="XFD1048576" s="1">%s</c></row>' % inner
    return stream_part(src, out, FINANCE_PART, [before, cell, after])


def zip_bomb(src: Path, out: Path, unpacked: int = 1_500_000_000) -> Path:
    """The finance sheet padded with ``unpacked`` bytes of blanks between its rows (a few MB compressed)."""
    before, after = sheet_around(src)
    block = b" " * (1 << 20)
    padding = (block for _ in range(unpacked // len(block)))
    return stream_part(src, out, FINANCE_PART, [before, *padding, after])


def rows_under_table(src: Path, out: Path, count: int = 1_000_000, first: int = 200, text: bool = False) -> Path:
    """``count`` rows with a value in column H (text or a number), from row ``first`` on."""
    before, after = sheet_around(src)
    if text:
        def cell(r):
            return b'<c r="H%d" t="inlineStr"><is><t>n.c.</t></is></c>' % r
    else:
        def cell(r):
            return b'<c r="H%d"><v>1</v></c>' % r
    return stream_part(src, out, FINANCE_PART, [before, *_rows(first, count, cell), after])


def formatted_cells(src: Path, out: Path, count: int, first: int = 200, part: str = FINANCE_PART, per_row: int = 1) -> Path:
    """``count`` empty formatted cells under the table of the sheet ``part`` (``per_row`` per row, from column B)."""
    before, after = sheet_around(src, part)
    letters = [_column_letters(2 + i) for i in range(per_row)]
    rows = -(-count // per_row)
    cells = b"".join(b'<c r="%s%%d" s="1"/>' % letter.encode() for letter in letters)
    return stream_part(src, out, part, [before, *_rows(first, rows, lambda r: cells.replace(b"%d", b"%d" % r)), after])


def lying_sizes(bomb: Path, out: Path, declared: int = 100_000) -> Path:
    """A copy of a zip bomb whose directory declares ``declared`` unpacked bytes for the padded sheet."""
    data = bytearray(bomb.read_bytes())
    name = FINANCE_PART.encode()
    start = data.rindex(b"PK\x01\x02", 0, data.rindex(name))  # central directory entry of the sheet
    assert data[start + 46:start + 46 + len(name)] == name
    extra_len = struct.unpack_from("<H", data, start + 30)[0]
    struct.pack_into("<I", data, start + 24, declared)
    extra = start + 46 + len(name)
    for offset in range(extra, extra + extra_len - 4):  # the zip64 extra field holds the real sizes
        if data[offset:offset + 2] == b"\x01\x00":
            struct.pack_into("<Q", data, offset + 4, declared)
            break
    out.write_bytes(bytes(data))
    return out


def with_doctype(src: Path, out: Path, doctype: bytes, part: str = FINANCE_PART) -> Path:
    """A sheet whose XML starts with ``doctype`` (entity declarations)."""
    def change(xml: bytes) -> bytes:
        if xml.startswith(b"<?xml"):
            head, _, rest = xml.partition(b"?>")
            return head + b"?>" + doctype + rest
        return doctype + xml
    return rewrite(src, out, {part: change})


BILLION_LAUGHS = (b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + b"".join(
    b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(9)) + b"]>")
EXTERNAL_ENTITY = b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def macro_workbook(src: Path, out: Path) -> Path:
    """A workbook declaring macros (content type of an .xlsm, a VBA part), saved as .xlsx."""
    def change(types: bytes) -> bytes:
        return types.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                             b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    return rewrite(src, out, {"[Content_Types].xml": change}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 508})


def array_formula(src: Path, out: Path, cell: str, formula: str = 'CONCATENATE("a","b")') -> Path:
    """``cell`` of the finance sheet holding an array (CSE) formula with a cached text result."""
    def change(xml: bytes) -> bytes:
        new = b'<c r="%s" t="str"><f t="array" ref="%s">%s</f><v>ab</v></c>' % (cell.encode(), cell.encode(), formula.encode())
        xml, n = re.subn(rb'<c r="%s"[^>]*?(/>|>.*?</c>)' % cell.encode(), lambda _: new, xml, count=1, flags=re.DOTALL)
        assert n == 1, cell
        return xml
    return rewrite(src, out, {FINANCE_PART: change})


def set_cell(xml: bytes, cell: str, inner: bytes, kind: bytes | None = None, style: bytes | None = None) -> bytes:
    """``xml`` with the cell ``cell`` holding ``inner`` (e.g. ``<v>1</v>``), of type ``kind``, style ``style``."""
    attrs = b' r="%s"' % cell.encode()
    if kind is not None:
        attrs += b' t="%s"' % kind
    if style is not None:
        attrs += b' s="%s"' % style
    new = b"<c%s>%s</c>" % (attrs, inner)
    xml, n = re.subn(rb'<c r="%s"[^>]*?(/>|>.*?</c>)' % cell.encode(), lambda _: new, xml, count=1, flags=re.DOTALL)
    assert n == 1, cell
    return xml


# --------------------------------------------------------------------------------------------------
# A password-protected workbook: an OLE2 compound file holding an encrypted package
# --------------------------------------------------------------------------------------------------

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _dir_entry(name: str, kind: int, left=_FREE, right=_FREE, child=_FREE, start=_END, size=0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    entry = encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
    return entry + b"\0" * 36 + struct.pack("<IQ", start, size)


def encrypted_workbook(out: Path, payload: bytes | None = None) -> Path:
    """What Excel writes for a password-protected .xlsx: a compound file (CFB, version 3) with the
    streams ``EncryptionInfo`` (agile encryption, version 4.4) and ``EncryptedPackage`` (size + bytes)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                                              b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
                                              b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
                                              b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
                                              b'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
                                              b'<dataIntegrity encryptedHmacKey="AAAA" encryptedHmacValue="AAAA"/>'
                                              b'<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/'
                                              b'keyEncryptor/password"><p:encryptedKey xmlns:p="http://schemas.microsoft.com/'
                                              b'office/2006/keyEncryptor/password" spinCount="100000" saltSize="16" '
                                              b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
                                              b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAA" '
                                              b'encryptedVerifierHashInput="AAAA" encryptedVerifierHashValue="AAAA" '
                                              b'encryptedKeyValue="AAAA"/></keyEncryptor></keyEncryptors></encryption>')
    info = info.ljust(4096, b" ")  # at least 4 096 bytes: a stream in regular sectors (no mini stream)
    package = os.urandom(8192) if payload is None else payload
    streams = [info, struct.pack("<Q", len(package)) + package]
    sectors = [-(-len(s) // 512) for s in streams]
    fat, first = [_FAT, _END], []
    for n in sectors:
        first.append(len(fat))
        fat += list(range(len(fat) + 1, len(fat) + n)) + [_END]
    assert len(fat) <= 128
    fat += [_FREE] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0) + struct.pack("<I", 0) + b"\xff" * 432)
    directory = (_dir_entry("Root Entry", 5, child=1) + _dir_entry("EncryptionInfo", 2, right=2, start=first[0], size=len(info))
                 + _dir_entry("EncryptedPackage", 2, start=first[1], size=len(streams[1])) + _dir_entry("", 0))
    body = struct.pack("<128I", *fat) + directory + b"".join(s.ljust(n * 512, b"\0") for s, n in zip(streams, sectors))
    out.write_bytes(header + body)
    return out


# --------------------------------------------------------------------------------------------------
# Other formats, written by LibreOffice (when it is installed)
# --------------------------------------------------------------------------------------------------


def libreoffice_convert(src: Path, out_dir: Path, target: str = "xls") -> Path | None:
    """``src`` converted by LibreOffice to ``target`` (e.g. 'xls', 'ods') in ``out_dir``; None without LibreOffice."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    profile = tempfile.mkdtemp()
    try:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
                        "--outdir", str(out_dir), str(src)], check=False, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    result = out_dir / f"{src.stem}.{target}"
    return result if result.is_file() and result.stat().st_size else None


# --------------------------------------------------------------------------------------------------
# Issue 16: costs per cell, shared formulas, planted formulas, escapes
# --------------------------------------------------------------------------------------------------

EXPENSES_PART = "xl/worksheets/sheet5.xml"  # « État des dépenses » of a France Travail workbook


def long_numbers(src: Path, out: Path, cells: Iterable[str], digits: int = 40_000, part: str = FINANCE_PART) -> Path:
    """Each of ``cells`` storing a number of ``digits`` digits followed by a letter (the reader's old quadratic case)."""
    value = b"<v>" + b"1" * digits + b"x</v>"

    def change(xml: bytes) -> bytes:
        for cell in cells:
            xml = set_cell(xml, cell, value)
        return xml
    return rewrite(src, out, {part: change})


def _column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def shared_formula(src: Path, out: Path, length: int, rows: range, columns: range, part: str = EXPENSES_PART) -> Path:
    """A shared formula of ``length`` characters written once at the first cell of ``rows`` × ``columns`` (1-based
    column numbers) and shared by all the others (extra row elements, after the sheet's rows)."""
    text = (b"1+" * length)[: length - 1] + b"1"
    first = f"{_column_letters(columns[0])}{rows[0]}"
    last = f"{_column_letters(columns[-1])}{rows[-1]}"
    cells = []
    for r in rows:
        row = []
        for c in columns:
            ref = f"{_column_letters(c)}{r}".encode()
            if (r, c) == (rows[0], columns[0]):
                row.append(b'<c r="%s"><f t="shared" ref="%s:%s" si="0">%s</f><v>1</v></c>' % (ref, first.encode(),
                                                                                              last.encode(), text))
            else:
                row.append(b'<c r="%s"><f t="shared" si="0"/><v>1</v></c>' % ref)
        cells.append(b'<row r="%d">%s</row>' % (r, b"".join(row)))
    before, after = sheet_around(src, part)
    return stream_part(src, out, part, [before, *cells, after], level=9)


def planted_formulas(src: Path, out: Path, formulas: dict[str, bytes], part: str = FINANCE_PART) -> Path:
    """Cells of ``part`` holding formulas (``{"D5": b"cmd|' /C calc'!A0"}``), with a cached text result."""
    def change(xml: bytes) -> bytes:
        for cell, formula in formulas.items():
            xml = set_cell(xml, cell, b"<f>%s</f><v>0</v>" % formula.replace(b"&", b"&amp;").replace(b"<", b"&lt;"),
                           b"str")
        return xml
    return rewrite(src, out, {part: change})


def inline_texts(src: Path, out: Path, texts: dict[str, str], part: str = FINANCE_PART) -> Path:
    """Cells of ``part`` holding inline texts, written as given (escapes ``_xHHHH_`` included)."""
    def change(xml: bytes) -> bytes:
        for cell, text in texts.items():
            inner = text.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8")
            xml = set_cell(xml, cell, b'<is><t xml:space="preserve">%s</t></is>' % inner, b"inlineStr")
        return xml
    return rewrite(src, out, {part: change})


def blank_lines(folder: Path, name: str = "rules.csv", size: int = 9_000_000) -> Path:
    """``size`` line feeds appended to a CSV file of a copy of the contract's data (a table of empty lines)."""
    path = folder / name
    with path.open("ab") as stream:
        for _ in range(size // 1_000_000):
            stream.write(b"\n" * 1_000_000)
        stream.write(b"\n" * (size % 1_000_000))
    return path


def long_number_cells(folder: Path, name: str = "indicator_values.csv", column: str = "value", length: int = 9_990,
                      count: int = 900) -> Path:
    """``count`` rows of a contract CSV whose ``column`` holds ``length`` digits then « e » and « x » (the loader's
    old quadratic case for the scientific-notation hint), each a distinct value."""
    import csv

    path = folder / name
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    index = rows[0].index(column)
    template = rows[1]
    for i in range(count):
        row = list(template)
        row[index] = str(i).rjust(length, "1") + "ex"
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    return path
