import pytest
from flask_babel import force_locale

from app.cases.identifiers import mask_code, normalise_code
from app.errors import DomainError


def test_valid_codes_are_normalised(ctx):
    assert normalise_code("enterprise", " 91510400ma6x000102 ") == "91510400MA6X000102"
    assert normalise_code("person", "510402198503124568") == "510402198503124568"
    assert normalise_code("person", "11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "kind,code,needle",
    [
        ("enterprise", "91510400MA6X000103", "check character"),
        ("enterprise", "9151040", "18 characters"),
        ("person", "510402198503124567", "check character"),
        ("person", "51040219850312456", "18 characters"),
        ("person", "510402198513324563", "birth date or region"),
        ("robot", "x", "Unknown subject kind"),
    ],
)
def test_invalid_codes_say_why(ctx, kind, code, needle):
    with pytest.raises(DomainError) as exc:
        normalise_code(kind, code)
    with ctx.test_request_context(), force_locale("en"):
        assert needle in str(exc.value.message)
    with ctx.test_request_context():
        assert str(exc.value.message) != needle  # Chinese by default


def test_masking(ctx):
    assert mask_code("person", "510402198503124568") == "510***********4568"
    assert mask_code("enterprise", "91510400MA6X000102") == "915104********0102"
