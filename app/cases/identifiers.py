"""Subject identifiers: unified social credit code (GB 32100-2015) and resident identity number
(GB 11643-1999), validated with python-stdnum (check characters included), and masking for display."""
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError

from flask_babel import lazy_gettext as _l

from app.errors import DomainError

ORG_KINDS = ("enterprise", "social_org", "institution")


def normalise_code(kind: str, code: str, field: str = "code") -> str:
    """Return the compact, upper-case code or raise DomainError with a message for the user."""
    code = (code or "").strip().replace(" ", "").upper()
    if kind == "person":
        try:
            return ric.validate(code)
        except InvalidLength:
            raise DomainError(_l("A resident identity number has 18 characters."), field)
        except InvalidChecksum:
            raise DomainError(_l("The check character of this identity number is wrong: please check the number."), field)
        except InvalidComponent:
            raise DomainError(_l("This identity number has an impossible birth date or region code."), field)
        except ValidationError:
            raise DomainError(_l("Not a valid resident identity number (18 characters, check character)."), field)
    if kind in ORG_KINDS:
        try:
            return uscc.validate(code)
        except InvalidLength:
            raise DomainError(_l("A unified social credit code has 18 characters."), field)
        except InvalidChecksum:
            raise DomainError(_l("The check character of this credit code is wrong: please check the code."), field)
        except ValidationError:
            raise DomainError(_l("Not a valid unified social credit code (18 characters, check character)."), field)
    raise DomainError(_l("Unknown subject kind."), field)


def mask_code(kind: str, code: str) -> str:
    """Identity numbers show region prefix and last 4; credit codes keep their first 6 and last 4."""
    if not code:
        return ""
    if kind == "person":
        return code[:3] + "*" * (len(code) - 7) + code[-4:]
    return code[:6] + "*" * (len(code) - 10) + code[-4:]
