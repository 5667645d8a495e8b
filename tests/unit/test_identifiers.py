import pytest
from flask_babel import force_locale

from app.cases.identifiers import code_warnings, guess_kind, mask_code, normalise_code
from app.errors import DomainError


def test_valid_codes_are_normalised(ctx):
    assert normalise_code("enterprise", " 91510400ma6x000102 ") == "91510400MA6X000102"
    assert normalise_code("person", "510402198503124568") == "510402198503124568"
    assert normalise_code("person", "11010519491231002x") == "11010519491231002X"


def test_region_code_valid_at_birth_is_accepted_with_a_warning(ctx):
    # 510402 (攀枝花市东区) dates from 1983 in the region table; people born there before keep their number.
    assert normalise_code("person", "510402196207179143") == "510402196207179143"
    with ctx.test_request_context(), force_locale("en"):
        warnings = [str(w) for w in code_warnings("person", "510402196207179143")]
    assert len(warnings) == 1 and "510402" in warnings[0] and "9143" in warnings[0]
    assert code_warnings("person", "510402198503124568") == []


def test_unknown_region_code_never_refuses(ctx):
    # 999999 is in no table; the check character and birth date are right, so the number is accepted.
    code = "99999919800101001"
    from stdnum.cn import ric

    code += ric.calc_check_digit(code + "0")
    assert normalise_code("person", code) == code
    assert code_warnings("person", code)


@pytest.mark.parametrize(
    "kind,code,needle",
    [
        ("enterprise", "91510400MA6X000103", "check character"),
        ("enterprise", "9151040", "18 characters"),
        ("enterprise", "000000000000000000", "GB 32100"),
        ("enterprise", "91510400MA6X00010２", "half-width"),
        ("person", "510402198503124567", "check character"),
        ("person", "51040219850312456", "18 characters"),
        ("person", "510402198513324563", "impossible birth date"),
        ("person", "５１０４０２１９８５０３１２４５６８", "half-width"),
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


@pytest.mark.parametrize("born", ["00010101", "99991231", "20260000", "18991231"])
def test_impossible_birth_dates_are_refused(ctx, clock, born):
    from stdnum.cn import ric

    body = "510402" + born + "123"
    code = body + ric.calc_check_digit(body + "0")
    with pytest.raises(DomainError) as exc:
        normalise_code("person", code)
    with ctx.test_request_context(), force_locale("en"):
        assert "impossible birth date" in str(exc.value.message)


def test_guess_kind(ctx):
    assert guess_kind("510402196207179143") == "person"
    assert guess_kind("91510400MA6X000102") == "enterprise"


def test_masking(ctx):
    assert mask_code("person", "510402198503124568") == "510***********4568"
    assert mask_code("enterprise", "91510400MA6X000102") == "915104********0102"


@pytest.mark.parametrize("code", ["915104000599038575", "91510400314460263E"])
def test_credit_codes_of_digits_are_organisations_not_identity_numbers(ctx, code):
    """An all-digit organisation code makes a credit code whose first 17 characters are digits: the credit check
    took it for a mistyped identity number and refused to check the company."""
    from app.credit.services import normalise

    assert guess_kind(code) == "enterprise"
    assert normalise(code) == ("enterprise", code)
    assert normalise("510402198503124568") == ("person", "510402198503124568")
    with pytest.raises(DomainError) as refused:  # 17 digits, neither valid: said as an identity number
        normalise("510402198503124567")
    with force_locale("zh"):
        assert "身份证" in str(refused.value.errors[0][1])


def test_a_persons_name_is_masked_after_its_surname_compound_ones_whole():
    from app.cases.identifiers import mask_person

    assert mask_person("王小明") == "王某" and mask_person("欧阳明") == "欧阳某" and mask_person("司马光") == "司马某"
    assert mask_person("欧阳") == "欧某"  # (a two-character name is a surname and a given name)
    assert mask_person("乐正华") == "乐某"  # (乐 and the given name 正华 far more often than the compound 乐正)
    assert mask_person("") == ""


def test_a_code_written_in_groups_is_searched_whole_and_a_name_in_words_is_not_taken_for_one():
    from app.text_search import normalise

    assert normalise("9151 0400 MA70 0000 1F") == "91510400MA7000001F"
    assert normalise("91510400-MA7000001F") == "91510400MA7000001F"
    assert normalise("Golden Dragon Trades") == "Golden Dragon Trades"  # (18 letters in words: a name)
    assert normalise("XL-2026-000123") == "XL-2026-000123"
