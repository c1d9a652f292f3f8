import re

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from kefu.customers import phones

# A few area codes of each length: Beijing, Shanghai, Guangzhou, Chongqing,
# Shijiazhuang, Zhengzhou, Suzhou, Hangzhou, Shenzhen, Dongguan.
AREA_CODES = ["10", "21", "20", "23", "311", "371", "512", "571", "755", "769"]
# Allocated three-digit mobile prefixes (174 and 179, say, are not: a number
# there is not a valid mobile number).
MOBILE_BLOCKS = [
    *(f"13{d}" for d in range(10)),
    *("145", "147", "150", "151", "152", "153", "155", "156", "157", "158", "159"),
    *("162", "165", "166", "167", "170", "171", "172", "173", "175", "176", "177", "178"),
    *(f"18{d}" for d in range(10)),
    *("190", "191", "192", "193", "195", "196", "197", "198", "199"),
]

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
mobiles = st.builds(
    lambda block, rest: block + rest,
    st.sampled_from(MOBILE_BLOCKS),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
landlines = st.tuples(
    st.sampled_from(AREA_CODES),
    st.builds(
        lambda first, rest: first + rest,
        st.sampled_from("2345678"),
        st.text(alphabet="0123456789", min_size=7, max_size=7),
    ),
)
# How people and PBXs write the country code, including not at all.
COUNTRY_PREFIXES = [
    "+86",
    "+86 ",
    "+86-",
    "0086",
    "0086 ",
    "0086-",
    "86",
    "86 ",
    "86-",
    "(+86)",
    "（+86）",
    "+ 86 ",
]
separators = st.sampled_from(["", "", " ", "-", "  ", "－"])


@st.composite
def grouped(draw, text):
    """``text`` with random separators between its characters."""
    out = []
    for i, ch in enumerate(text):
        if i:
            out.append(draw(separators))
        out.append(ch)
    return "".join(out)


@st.composite
def written_mobile(draw):
    number = draw(mobiles)
    prefix = draw(st.sampled_from(["", *COUNTRY_PREFIXES]))
    padding = draw(st.sampled_from(["", " ", "\t"]))
    return number, padding + prefix + draw(grouped(number)) + padding


@st.composite
def written_landline(draw):
    area, subscriber = draw(landlines)
    prefix = draw(st.sampled_from(["", *COUNTRY_PREFIXES]))
    # Nationally the area code carries its trunk 0; after a country code it
    # is dropped, kept, or written "(0)".
    trunk = draw(st.sampled_from(["0"] if not prefix else ["", "0", "(0)"]))
    area_text = trunk + area
    if draw(st.booleans()):
        area_text = draw(st.sampled_from(["({})", "（{}）"])).format(area_text)
    written = prefix + area_text + draw(separators) + draw(grouped(subscriber))
    return area + subscriber, written


@given(written_mobile())
@example(("13812345678", "138 1234 5678"))
@example(("13812345678", "+86 138-1234-5678"))
@example(("13812345678", "0086 13812345678"))
@example(("13812345678", "８６１３８１２３４５６７８"))
def test_any_written_mobile_number_normalises_to_the_same_e164(case):
    number, written = case
    assert phones.normalize(written) == "+86" + number


@given(written_landline())
@example(("1012345678", "(010) 1234 5678"))
@example(("1012345678", "+86 (0)10 1234-5678"))
@example(("75588886666", "86 755 88886666"))
def test_any_written_landline_number_normalises_to_the_same_e164(case):
    national, written = case
    assert phones.normalize(written) == "+86" + national


@given(st.one_of(mobiles, landlines.map(lambda c: "0" + "".join(c))))
def test_normal_form_is_stable(national):
    e164 = phones.normalize(national)
    assert re.fullmatch(r"\+86\d{10,11}", e164)
    assert phones.normalize(e164) == e164
    # What the UI shows can be typed back in.
    assert phones.normalize(phones.display(e164)) == e164


@given(mobiles)
def test_mask_hides_the_middle_four_digits_of_a_mobile(number):
    assert phones.mask("+86" + number) == number[:3] + "****" + number[-4:]


@given(
    # Numbers the numbering plan knows; display drops the trunk 0 of others.
    landlines.filter(lambda c: phonenumbers.is_valid_number(phonenumbers.parse("+86" + "".join(c))))
)
def test_mask_hides_the_start_of_a_landline_subscriber_number(case):
    area, subscriber = case
    assert phones.mask(f"+86{area}{subscriber}") == f"0{area}****{subscriber[-4:]}"


@given(st.one_of(mobiles, landlines.map("".join)))
def test_mask_never_shows_the_middle_digits(national):
    e164 = "+86" + national
    shown, masked = phones.display(e164), phones.mask(e164)
    assert len(masked) == len(shown)
    hidden = [i for i, ch in enumerate(masked) if ch == "*"]
    digit_positions = [i for i, ch in enumerate(shown) if ch.isdigit()]
    assert hidden == digit_positions[-8:-4]
    assert all(masked[i] == shown[i] for i in range(len(shown)) if i not in hidden)


def test_mask_of_a_foreign_number_hides_digits_too():
    assert phones.mask("+16502530000") == "+1 65*-***-0000"


def test_kind_of():
    assert phones.kind_of("+8613812345678") == "mobile"
    assert phones.kind_of("+861012345678") == "landline"


def test_display_uses_the_national_form_at_home_and_international_abroad():
    assert phones.display("+8613812345678") == "13812345678"
    assert phones.display("+861012345678") == "01012345678"
    assert phones.display("+85221234567") == "+852 2123 4567"


def test_try_normalize_returns_none_for_garbage():
    assert phones.try_normalize("电话") is None
    assert phones.try_normalize("13812345678") == "+8613812345678"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        ("abc", "invalid"),
        ("电话号码", "invalid"),
        ("12", "invalid"),
        ("138123456789999", "invalid"),
    ],
)
def test_invalid_input_is_refused_in_chinese(raw, code):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        phones.normalize(raw)
    assert err.value.code == code
    message = err.value.messages[0]
    if raw and raw.strip():
        assert raw in message
        message = message.replace(raw, "")
    assert re.search(r"[\u4e00-\u9fff]", message), message


@given(st.text(max_size=30))
def test_normalize_returns_e164_or_refuses(raw):
    try:
        e164 = phones.normalize(raw)
    except ValidationError:
        return
    assert re.fullmatch(r"\+\d{3,15}", e164)
