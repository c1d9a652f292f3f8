"""Phone numbers: one normal form (E.164) for storing and for caller-ID
lookup, whatever way a number was typed or sent by a PBX."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize(raw: str, region: str | None = None) -> str:
    """Return the E.164 form of ``raw`` or raise ValidationError."""
    region = region or settings.KEFU_PHONE_REGION
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid", params={"value": raw}
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(
            _("“%(value)s” is not a possible phone number."),
            code="invalid",
            params={"value": raw},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize(raw: str, region: str | None = None) -> str | None:
    try:
        return normalize(raw, region)
    except ValidationError:
        return None


def display(e164: str, region: str | None = None) -> str:
    """The number as people of ``region`` dial it (13812345678, 01012345678);
    numbers of other regions in international form."""
    region = region or settings.KEFU_PHONE_REGION
    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(
            " ", ""
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask(e164: str, region: str | None = None) -> str:
    """Hide the middle digits: 138****5678."""
    shown = display(e164, region)
    digits = [i for i, ch in enumerate(shown) if ch.isdigit()]
    if len(digits) < 7:
        return shown
    hide = set(digits[-8:-4])
    return "".join("*" if i in hide else ch for i, ch in enumerate(shown))


def kind_of(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    kind = phonenumbers.number_type(number)
    if kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return "mobile"
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        return "landline"
    return "other"
