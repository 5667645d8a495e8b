"""Subject identifiers: unified social credit code (GB 32100-2015) and resident identity number
(GB 11643-1999), and masking for display.

What makes a number wrong is checked strictly (length, characters, check character, a real birth date);
what only a table knows is not: a region code missing from python-stdnum's table of current and former
counties is a warning for the user to double-check, never a refusal. Region codes are renamed and merged
over the decades, and a person keeps the number issued where they were born (e.g. 510402196207179143)."""
import re
from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from app import clock
from app.errors import DomainError
from app.i18n import lazy_gettext as _l

ORG_KINDS = ("enterprise", "social_org", "institution")

# GB 32100-2015: registration authority (1 机构编制 … 9 工商, A 中央军委改革和编制办公室, N 农业, Y 其他),
# entity type, six-digit region code, nine-character organisation code, check character.
_USCC_RE = re.compile(r"^[1-9A-HNY][1-9][0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}[0-9A-HJ-NPQRTUWXY]\Z")
_RIC_RE = re.compile(r"^[0-9]{17}[0-9X]\Z")
_SEPARATORS = re.compile(r"[ \t\-]")
_EARLIEST_BIRTH = date(1900, 1, 1)


def _compact(code: str):
    """The code without spaces and dashes, upper-case; or a problem (a lazy message)."""
    code = _SEPARATORS.sub("", (code or "").strip())
    if any(ord(ch) > 127 for ch in code):
        # Full-width digits and letters (e.g. from an IME) are refused, not silently converted: the user
        # must see the code that will be stored and checked.
        return None, _l("Use half-width digits and letters only (no full-width characters).")
    return code.upper(), None


# Each check answers what is wrong with a compact code, or None. (No exception on the way: the credit check tells
# the kinds apart by trying one, and building a DomainError translates its message.)
def _person_problem(code: str):
    if len(code) != 18:
        return _l("A resident identity number has 18 characters.")
    if not _RIC_RE.match(code):
        return _l("A resident identity number has 17 digits and a check character (a digit or X).")
    if code[-1] != ric.calc_check_digit(code):
        return _l("The check character of this identity number is wrong: please check the number.")
    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return _l("This identity number contains an impossible birth date.")
    if born < _EARLIEST_BIRTH or born > clock.today_local():
        return _l("This identity number contains an impossible birth date.")
    return None


def _organisation_problem(code: str):
    if len(code) != 18:
        return _l("A unified social credit code has 18 characters.")
    if not _USCC_RE.match(code) or code[2:8] == "000000" or code[8:17] == "000000000":
        return _l("Not a valid unified social credit code: registration authority, entity type, region code and "
                  "organisation code do not fit GB 32100-2015.")
    if code[-1] != uscc.calc_check_digit(code):
        return _l("The check character of this credit code is wrong: please check the code.")
    return None


def _problem(kind: str, code: str) -> tuple[str, object]:
    if kind not in ORG_KINDS and kind != "person":
        return code, _l("Unknown subject kind.")
    compact, problem = _compact(code)
    if problem is None:
        problem = _person_problem(compact) if kind == "person" else _organisation_problem(compact)
    return compact, problem


def normalise_code(kind: str, code: str, field: str = "code") -> str:
    """Return the compact, upper-case code or raise DomainError with a message for the user."""
    compact, problem = _problem(kind, code)
    if problem is not None:
        raise DomainError(problem, field)
    return compact


def valid_as(kind: str, code: str) -> bool:
    """Whether the code is a valid one of that kind (no message: for telling the kinds apart)."""
    return _problem(kind, code)[1] is None


def guess_kind(code: str) -> str:
    """'person' for a valid identity number (check character and birth date), else 'enterprise' (for columns
    that hold either kind: the credit check, an expert's affiliated subject). A credit code may also be 18
    digits (an all-digit organisation code, e.g. 915104000599038575): only a valid identity number is a person."""
    return "person" if valid_as("person", code) else "enterprise"


def region_known(code: str) -> bool:
    """Whether python-stdnum's table knows the identity number's region code as valid in its birth year."""
    try:
        ric.get_birth_place(code)
    except ValidationError:
        return False
    return True


def code_warnings(kind: str, code: str) -> list:
    """Doubts about a valid code that a person should check but that never block filing."""
    if kind == "person" and not region_known(code):
        return [_l("The region code %(region)s of identity number ending %(tail)s is not in the region table for its year of birth; "
                   "it was accepted, please check it.", region=code[:6], tail=code[-4:])]
    return []


def mask_code(kind: str, code: str) -> str:
    """Identity numbers show region prefix and last 4; credit codes keep their first 6 and last 4."""
    if not code:
        return ""
    if kind == "person":
        return code[:3] + "*" * (len(code) - 7) + code[-4:]
    return code[:6] + "*" * (len(code) - 10) + code[-4:]


# Compound surnames (复姓): 欧阳明 is shown as 欧阳某, not 欧某 (which names another family).
COMPOUND_SURNAMES = frozenset("""欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 令狐 夏侯 轩辕 端木 独孤 南宫
西门 呼延 万俟 澹台 公冶 太史 申屠 钟离 闻人 赫连 濮阳 淳于 单于 拓跋 鲜于 闾丘 东郭 完颜""".split())
# (only compound surnames whose two characters rarely begin a single surname and given name: 乐正华 is more often 乐
# with the given name 正华, and 乐正某 would show a character of it)


def mask_person(name: str) -> str:
    """A natural person's name as the public pages show it: the surname and 某 (王某; 欧阳某 for a compound surname)."""
    name = (name or "").strip()
    if not name:
        return ""
    surname = name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[:1]
    return surname + "某"


# An identity number written in a text (a public report's, as the reporter typed it): 18 characters, or 15 digits
# (the first generation), not part of a longer run of digits; full-width digits too.
_ID_IN_TEXT = re.compile(r"(?<![0-9０-９])(?:[0-9０-９]{17}[0-9０-９XxＸｘ]|[0-9０-９]{15})(?![0-9０-９XxＸｘ])")


def mask_ids_in_text(text: str | None) -> str:
    """The text with every identity number in it masked as mask_code masks one (for readers who do not see whole numbers)."""
    return _ID_IN_TEXT.sub(lambda m: mask_code("person", m.group(0)), text or "")
