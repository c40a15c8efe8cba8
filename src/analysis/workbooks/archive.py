"""Opening a workbook file safely: what kind of file it is, its zip archive checked before any parsing,
and the workbook's own parts (sheet list, shared texts, number formats) read in one streaming pass.

Nothing here trusts the file (see the README, « Sécurité des fichiers »):

- the kind of file is recognised from its bytes, not only its extension: a password-protected workbook,
  an Excel 97-2003 file, a workbook with macros, an OpenDocument file, a PDF or a web page are named as
  such;
- the zip archive is checked from its directory before anything is unpacked: at most
  :data:`MAX_ENTRIES` parts, :data:`MAX_UNPACKED` bytes unpacked in all (assumption H32), no part over
  1 MB compressed more than :data:`MAX_RATIO` times, no encrypted or duplicated part. :mod:`zipfile`
  never returns more bytes than a part declares, so the declared sizes bound the reading;
- XML is parsed by a streaming parser (:mod:`pyexpat`) that refuses any document type declaration (no
  entity can be declared, so no entity expansion and no external entity); all the parts read of one
  workbook hold at most :data:`MAX_ELEMENTS` elements and :data:`MAX_CELLS` cells (H33) together
  (:class:`Budget`), so that the time and memory of a reading are bounded whatever the file;
- every value is checked for its length before any pattern or conversion runs on it: a number format
  code is at most :data:`MAX_FORMAT_CODE` characters (Excel's limit), and its meaning (date, percentage)
  is worked out only for the styles the cells read actually use;
- texts are decoded as a spreadsheet program shows them: the escapes ``_xHHHH_`` of the file format
  (``_x003D_`` is « = », ``_x005F_`` a literal « _ ») are decoded before any check (:func:`unescape`).

The sheets themselves are read by :mod:`analysis.workbooks.grid`.
"""

from __future__ import annotations

import datetime
import posixpath
import pyexpat
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from analysis.assumptions import default
from analysis.formatting import format_number
from analysis.workbooks.errors import ProblemLog

#: Unpacked size of a whole workbook archive, in bytes (H32).
MAX_UNPACKED = int(default("workbook_max_unpacked_bytes"))
#: Cells of the sheets read of one workbook, empty formatted cells included (H33).
MAX_CELLS = int(default("workbook_max_cells"))
#: Parts of a workbook archive (the template has 13).
MAX_ENTRIES = 1000
#: Compression ratio of one part above :data:`RATIO_FLOOR` bytes (the template's parts stay under 10).
MAX_RATIO = 100
RATIO_FLOOR = 1_000_000
#: XML elements of all the parts read of one workbook (a cell is up to 5 elements).
MAX_ELEMENTS = 5 * MAX_CELLS
#: Longest number format code (Excel refuses longer ones).
MAX_FORMAT_CODE = 255
#: Longest formula (Excel refuses longer ones).
MAX_FORMULA = 8192
#: Characters of shared formulas translated to the cells that share them, in one workbook (H46).
MAX_SHARED_FORMULA_CHARS = int(default("workbook_shared_formula_chars"))
CHUNK = 1 << 16

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS_XLSX = "enregistrer le classeur au format .xlsx (Classeur Excel)"

#: Other spreadsheet and office formats, by extension (lower case), as named in messages.
OTHER_FORMATS = {
    ".xlsm": "classeur Excel avec macros (.xlsm)",
    ".xls": "ancien classeur Excel 97-2003 (.xls)",
    ".xlsb": "classeur Excel binaire (.xlsb)",
    ".xltx": "modèle Excel (.xltx)",
    ".xltm": "modèle Excel avec macros (.xltm)",
    ".ods": "classeur OpenDocument (.ods)",
    ".fods": "classeur OpenDocument (.fods)",
    ".numbers": "classeur Numbers (.numbers)",
    ".csv": "fichier CSV",
}


def lock_file(name: str) -> bool:
    """Whether a file name is a spreadsheet program's lock or metadata file (``~$…``, ``.~lock.…``, ``._…``)."""
    return name.startswith(("~$", ".~lock.", "._"))


def unsupported_format(name: str) -> str | None:
    """The French name of another spreadsheet format (by extension, case ignored), or None."""
    return OTHER_FORMATS.get(Path(name).suffix.lower())


def megabytes(n: int) -> str:
    return f"{format_number(n / 1_000_000, 1)} Mo"


def is_digits(text) -> bool:
    """Whether ``text`` is a string of ASCII digits 0-9 (``str.isdigit`` also accepts « ٣ », « ３ », « ² »)."""
    return isinstance(text, str) and text.isascii() and text.isdigit()


_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """A text of the file as a spreadsheet program shows it: each ``_xHHHH_`` is the character U+HHHH
    (``_x000D_`` a carriage return, ``_x003D_`` « = », ``_x005F_`` a literal « _ »)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (missing, broken link, folder, named pipe…), or None for a
    regular file (or a link to one). Never opens the path: a named pipe is never waited on."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "lien symbolique brisé (sa cible n'existe pas)" if path.is_symlink() else "fichier introuvable"
    except (OSError, ValueError) as exc:
        return f"fichier illisible ({type(exc).__name__})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "c'est un dossier, pas un classeur"
    if stat.S_ISFIFO(mode):
        return "c'est un tube nommé (FIFO), pas un classeur"
    return "ce n'est pas un fichier ordinaire (périphérique ou socket), pas un classeur"


# --------------------------------------------------------------------------------------------------
# The file: kind and archive bounds
# --------------------------------------------------------------------------------------------------


def _check_file(path: Path, log: ProblemLog) -> None:
    """Existence, name, extension and size, before the file is opened."""
    reason = not_a_file(path)
    if reason is not None:
        log.fatal(None, None, None, reason)
    if lock_file(path.name):
        log.fatal(None, None, None, "fichier de verrouillage d'un tableur (le classeur est ouvert ailleurs), pas un classeur")
    other = unsupported_format(path.name)
    if other is not None:
        log.fatal(None, None, None, f"extension « {path.suffix} » non prise en charge ({other}) : {SAVE_AS_XLSX}")
    if path.suffix.lower() != ".xlsx":
        log.fatal(None, None, None, f"extension « {path.suffix} » non prise en charge : {SAVE_AS_XLSX}")
    size = path.stat().st_size
    if size == 0:
        log.fatal(None, None, None, "fichier vide (0 octet) : ce n'est pas un classeur")
    if size > MAX_UNPACKED:
        log.fatal(None, None, None, f"fichier trop volumineux ({megabytes(size)} ; au plus {megabytes(MAX_UNPACKED)}) : "
                                    "ce n'est pas un classeur d'exécution")


def _not_a_zip(path: Path, head: bytes) -> str:
    """Why a file that is not a zip archive is not a workbook."""
    if head.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in path.read_bytes():
            return ("classeur protégé par mot de passe (chiffré) : le programme ne peut pas le lire ; l'ouvrir, retirer "
                    "le mot de passe (Fichier > Informations > Protéger le classeur) et l'enregistrer au format .xlsx")
        return f"ancien classeur Excel 97-2003 (.xls) ou autre document Office renommé en .xlsx : {SAVE_AS_XLSX}"
    if head.startswith(b"%PDF"):
        return "document PDF renommé en .xlsx : ce n'est pas un classeur"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return f"page web ou fichier XML renommé en .xlsx (ancien format « Feuille de calcul XML ») : {SAVE_AS_XLSX}"
    return ("ce fichier n'est pas un classeur Excel .xlsx (format non reconnu, peut-être un autre type de fichier "
            "renommé) : l'enregistrer au format .xlsx")


def _check_entries(archive: zipfile.ZipFile, log: ProblemLog) -> None:
    """The archive's directory: number of parts, sizes, compression ratios, encryption, duplicates."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        log.fatal(None, None, None, f"archive de {format_number(len(infos), 0)} parties (au plus {MAX_ENTRIES}) : "
                                    "fichier anormal ou piégé")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        log.fatal(None, None, None, "archive ambiguë (une partie y figure deux fois) : fichier endommagé ou piégé")
    if any(i.flag_bits & 0x1 for i in infos):
        log.fatal(None, None, None, "classeur protégé par mot de passe (archive chiffrée) : retirer le mot de passe et "
                                    "l'enregistrer au format .xlsx")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        log.fatal(None, None, None, f"classeur trop volumineux une fois décompressé ({megabytes(total)} ; au plus "
                                    f"{megabytes(MAX_UNPACKED)}) : fichier anormal ou piégé (bombe de décompression ?)")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(1, i.compress_size):
            ratio = format_number(i.file_size / max(1, i.compress_size), 0)
            log.fatal(None, None, None, f"partie « {i.filename} » compressée {ratio} fois (au plus {MAX_RATIO}) : "
                                        "fichier anormal ou piégé (bombe de décompression ?)")


def open_archive(path: Path, log: ProblemLog) -> zipfile.ZipFile:
    """The workbook's zip archive, once the file's kind and the archive's bounds are checked (else
    ``log.fatal``). The caller closes it."""
    _check_file(path, log)
    with path.open("rb") as stream:
        head = stream.read(8)
    if not head.startswith(b"PK"):
        log.fatal(None, None, None, _not_a_zip(path, head))
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # zipfile raises many kinds of errors on a damaged archive  # noqa: BLE001
        log.fatal(None, None, None, f"archive .xlsx endommagée ({type(exc).__name__}) : l'ouvrir et l'enregistrer à "
                                    "nouveau au format .xlsx")
    try:
        _check_entries(archive, log)
    except BaseException:
        archive.close()
        raise
    return archive


# --------------------------------------------------------------------------------------------------
# Streaming XML, safely
# --------------------------------------------------------------------------------------------------


class Refused(Exception):
    """Raised by a part reader to reject the workbook; the message is the French reason."""


@dataclass
class Budget:
    """What may still be read of one workbook, all its parts together: XML elements, cells, and characters of
    shared formulas to translate."""

    elements: int = MAX_ELEMENTS
    cells: int = MAX_CELLS
    formulas: int = MAX_SHARED_FORMULA_CHARS


class PartReader:
    """Receives the elements of one XML part by local name ('x:c' -> 'c': namespaces are not processed);
    ``text`` collects character data when it is a list. At most ``limit`` elements are accepted (what is
    left of the workbook's :class:`Budget`)."""

    text: list | None = None
    limit: int = MAX_ELEMENTS
    elements: int = 0

    def element_start(self, name: str, attrs: dict) -> None:
        """The expat handler: counts the element and passes it on by local name (see :meth:`start`)."""
        self.elements += 1
        if self.elements > self.limit:
            raise Refused(f"plus de {format_number(self.limit, 0)} éléments XML : fichier anormal ou piégé")
        self.start(name if ":" not in name else name.rpartition(":")[2], attrs)

    def element_end(self, name: str) -> None:
        self.end(name if ":" not in name else name.rpartition(":")[2])

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def start(self, name: str, attrs: dict) -> None:
        pass

    def end(self, name: str) -> None:
        pass


def _refuse_doctype(*_args) -> None:
    raise Refused("déclaration de type de document (DOCTYPE, entités XML) interdite dans un classeur : fichier "
                  "fabriqué ou piégé")


def _parser(reader: PartReader):
    """An expat parser feeding ``reader``, refusing any document type declaration."""
    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.StartElementHandler = reader.element_start
    parser.EndElementHandler = reader.element_end
    parser.CharacterDataHandler = reader.characters
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    return parser


def parse_part(archive: zipfile.ZipFile, name: str, reader: PartReader, log: ProblemLog, budget: Budget,
               sheet: str | None = None) -> None:
    """Stream the XML part ``name`` into ``reader`` within ``budget`` (which it uses up); any problem rejects
    the workbook (``log.fatal``)."""
    reader.limit, reader.elements = budget.elements, 0
    parser = _parser(reader)
    where = f"partie « {name} »" if sheet is None else "feuille"
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        budget.elements -= reader.elements
    except Refused as exc:
        log.fatal(sheet, None, None, f"{where} : {exc}")
    except pyexpat.ExpatError as exc:
        log.fatal(sheet, None, None, f"{where} endommagée (XML illisible ligne {exc.lineno}, "
                                     f"{pyexpat.ErrorString(exc.code)}) : fichier endommagé ou fabriqué")
    except (KeyError, ValueError, struct.error, zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as exc:
        log.fatal(sheet, None, None, f"archive .xlsx endommagée ({where} illisible, {type(exc).__name__}) : l'ouvrir "
                                     "et l'enregistrer à nouveau au format .xlsx")


def _attr(attrs: dict, local: str, default=None):
    """An attribute by local name, whatever its prefix (``r:id`` -> 'id')."""
    if local in attrs:
        return attrs[local]
    for key, value in attrs.items():
        if key.endswith(":" + local):
            return value
    return default


# --------------------------------------------------------------------------------------------------
# The workbook's parts
# --------------------------------------------------------------------------------------------------


class _Relations(PartReader):
    """Relationship id -> (type's last word, target) of a ``.rels`` part (external targets left out)."""

    def __init__(self):
        self.targets: dict[str, tuple[str, str]] = {}

    def start(self, name, attrs):
        if name == "Relationship" and attrs.get("TargetMode") != "External":
            kind = attrs.get("Type", "").rsplit("/", 1)[-1]
            self.targets[attrs.get("Id", "")] = (kind, attrs.get("Target", ""))


class _ContentTypes(PartReader):
    def __init__(self):
        self.types: dict[str, str] = {}

    def start(self, name, attrs):
        if name == "Override":
            self.types[attrs.get("PartName", "").lstrip("/")] = attrs.get("ContentType", "")


class _WorkbookPart(PartReader):
    """The sheets (name, relationship id) and the date system of ``xl/workbook.xml``."""

    def __init__(self):
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False

    def start(self, name, attrs):
        if name == "sheet":
            self.sheets.append((attrs.get("name", ""), _attr(attrs, "id", "")))
        elif name == "workbookPr":
            self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")


class _SharedStrings(PartReader):
    """The shared texts: each ``si`` is the concatenation of its ``t`` (phonetic runs left out)."""

    def __init__(self):
        self.strings: list[str] = []
        self.current: list | None = None
        self.phonetic = 0

    def start(self, name, attrs):
        if name == "si":
            self.current = []
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.current is not None and not self.phonetic:
            self.text = self.current

    def end(self, name):
        if name == "t":
            self.text = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si" and self.current is not None:
            self.strings.append(unescape("".join(self.current)))
            self.current = None


@dataclass(frozen=True)
class CellStyle:
    """What a cell's number format says: a date (or a duration), or a percentage."""

    date: bool = False
    duration: bool = False
    percent: bool = False


PLAIN = CellStyle()


def _style_of(code: str) -> CellStyle:
    from openpyxl.styles.numbers import is_date_format, is_timedelta_format

    bare, quoted = [], False
    for ch in code:  # the % of a quoted literal ("%") does not make a percentage
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            bare.append(ch)
    return CellStyle(is_date_format(code), is_timedelta_format(code), "%" in "".join(bare))


class _Styles(PartReader):
    """The number format of each cell style (``cellXfs``) of ``xl/styles.xml``."""

    def __init__(self):
        self.codes: dict[int, str] = {}
        self.formats: list[str] = []
        self.in_cell_xfs = False

    def start(self, name, attrs):
        if name == "numFmt":
            code = attrs.get("formatCode", "")
            if len(code) > MAX_FORMAT_CODE:
                raise Refused(f"format de nombre de {format_number(len(code), 0)} caractères (au plus {MAX_FORMAT_CODE}, la "
                              "limite d'Excel) : fichier fabriqué ou piégé")
            self.codes[_int(attrs.get("numFmtId"), -1)] = code
        elif name == "cellXfs":
            self.in_cell_xfs = True
        elif name == "xf" and self.in_cell_xfs:
            self.formats.append(attrs.get("numFmtId", "0"))

    def end(self, name):
        if name == "cellXfs":
            self.in_cell_xfs = False

    def styles(self) -> StyleTable:
        return StyleTable(self.codes, self.formats)


class StyleTable:
    """What the number format of each cell style says, worked out the first time a cell read uses the style
    (a file may declare tens of thousands of styles that no cell kept uses)."""

    def __init__(self, codes: dict[int, str], formats: list[str]):
        self.codes, self.formats = codes, formats
        self.known: dict[str, CellStyle] = {}

    def style(self, index: int) -> CellStyle:
        if not 0 <= index < len(self.formats):
            return PLAIN
        ident = self.formats[index]
        if ident not in self.known:
            from openpyxl.styles.numbers import BUILTIN_FORMATS

            number = _int(ident, 0)
            self.known[ident] = _style_of(self.codes.get(number, BUILTIN_FORMATS.get(number, "General")))
        return self.known[ident]


def _int(text, fallback: int) -> int:
    return int(text) if is_digits(text) and len(text) < 10 else fallback


@dataclass
class Book:
    """An open workbook archive and its own parts: sheets (name -> part), shared texts, number formats, date
    system, and what may still be read of it (:class:`Budget`)."""

    archive: zipfile.ZipFile
    parts: dict[str, str]
    strings: list[str]
    styles: StyleTable
    epoch: datetime.datetime
    budget: Budget

    @property
    def sheetnames(self) -> list[str]:
        return list(self.parts)

    def style(self, index) -> CellStyle:
        return self.styles.style(_int(index, 0))

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _resolve(base: str, target: str) -> str:
    """A relationship target as an archive name (relative to the folder of the part ``base``)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _workbook_part(archive: zipfile.ZipFile, names: set, log: ProblemLog, budget: Budget) -> str:
    """The main part's name, once the archive is known to hold an .xlsx workbook without macros."""
    if "mimetype" in names:
        log.fatal(None, None, None, f"classeur OpenDocument (.ods, LibreOffice) renommé en .xlsx : {SAVE_AS_XLSX}")
    for marker, what in (("word/document.xml", "document Word"), ("ppt/presentation.xml", "présentation PowerPoint"),
                         ("xl/workbook.bin", "classeur Excel binaire (.xlsb)")):
        if marker in names:
            log.fatal(None, None, None, f"{what} renommé en .xlsx : ce n'est pas un classeur .xlsx")
    main = "xl/workbook.xml"
    if "_rels/.rels" in names:
        rels = _Relations()
        parse_part(archive, "_rels/.rels", rels, log, budget)
        main = next((_resolve("", t) for kind, t in rels.targets.values() if kind == "officeDocument"), main)
    if "[Content_Types].xml" in names:
        types = _ContentTypes()
        parse_part(archive, "[Content_Types].xml", types, log, budget)
        kind = types.types.get(main, "")
        if "macroEnabled" in kind or any(n.lower().endswith("vbaproject.bin") for n in names):
            log.fatal(None, None, None, f"classeur avec macros (.xlsm) enregistré sous l'extension .xlsx : {SAVE_AS_XLSX} "
                                        "(sans macros)")
        if ".template." in kind:
            log.fatal(None, None, None, f"modèle Excel (.xltx) renommé en .xlsx : {SAVE_AS_XLSX}")
    if main not in names:
        log.fatal(None, None, None, f"classeur .xlsx illisible ou endommagé (partie « {main} » absente) : l'ouvrir et "
                                    "l'enregistrer à nouveau au format .xlsx")
    return main


def _sheet_parts(archive, main: str, names: set, log: ProblemLog, budget: Budget) -> tuple[_WorkbookPart, dict, dict]:
    """The workbook part, its sheets' archive names by sheet name, and the other parts by relation type."""
    workbook = _WorkbookPart()
    parse_part(archive, main, workbook, log, budget)
    rels_name = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
    rels = _Relations()
    if rels_name in names:
        parse_part(archive, rels_name, rels, log, budget)
    parts, others = {}, {}
    for kind, target in rels.targets.values():
        others.setdefault(kind, _resolve(main, target))
    for name, rel in workbook.sheets:
        if name in parts:
            log.fatal(None, None, name, "deux feuilles portent le même nom : fichier endommagé ou fabriqué")
        kind, target = rels.targets.get(rel, ("", ""))
        part = _resolve(main, target) if target else ""
        if kind != "worksheet" or part not in names:
            log.fatal(name, None, None, "feuille illisible (ce n'est pas une feuille de calcul, ou sa partie manque "
                                        "dans l'archive) : classeur endommagé")
        parts[name] = part
    return workbook, parts, others


def open_book(path: Path, log: ProblemLog) -> Book:
    """Open and check a workbook, and read its own parts once (see the module docstring).

    Rejects (``log.fatal``) a missing file, a lock file, another format, an empty or oversized file, a
    file that is not an .xlsx archive (password-protected, .xls, PDF…), an archive out of bounds, a
    workbook with macros, and any part that cannot be read.
    """
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

    archive = open_archive(path, log)
    budget = Budget()
    try:
        names = set(archive.namelist())
        main = _workbook_part(archive, names, log, budget)
        workbook, parts, others = _sheet_parts(archive, main, names, log, budget)
        strings, styles = _SharedStrings(), _Styles()
        for kind, reader in (("sharedStrings", strings), ("styles", styles)):
            if others.get(kind) in names:
                parse_part(archive, others[kind], reader, log, budget)
    except BaseException:
        archive.close()
        raise
    epoch = MAC_EPOCH if workbook.date1904 else WINDOWS_EPOCH
    return Book(archive, parts, strings.strings, styles.styles(), epoch, budget)
