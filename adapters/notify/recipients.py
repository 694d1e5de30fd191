"""Recipient normalisation per channel kind: WhatsApp numbers as `628...`, email addresses."""

from __future__ import annotations

from typing import Literal

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from adapters.notify.errors import InvalidRecipientError

RecipientKind = Literal["email", "whatsapp", "plain"]

_REGION = "ID"


def normalise_whatsapp_number(raw: str) -> str:
    """`0812-3456-7890`, `+62 812 3456 7890` or `62812...` -> `6281234567890`.

    Only Indonesian mobile numbers are accepted (WhatsApp needs a mobile line).
    Raises InvalidRecipientError; its message never repeats the number.
    """
    text = raw.strip()
    if not text:
        raise InvalidRecipientError("whatsapp", "empty")
    if text.startswith("62") and not text.startswith("+"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, _REGION)
    except phonenumbers.NumberParseException:
        raise InvalidRecipientError("whatsapp", "unparseable") from None
    if number.country_code != 62:
        raise InvalidRecipientError("whatsapp", "not_indonesian")
    if not phonenumbers.is_valid_number(number):
        raise InvalidRecipientError("whatsapp", "invalid_number")
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidRecipientError("whatsapp", "not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def normalise_email(raw: str) -> str:
    """A syntactically valid address (no DNS lookup), domain lower-cased."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidRecipientError("email", "invalid_address") from None


def normalise_recipient(kind: RecipientKind, raw: str) -> str:
    if kind == "whatsapp":
        return normalise_whatsapp_number(raw)
    if kind == "email":
        return normalise_email(raw)
    text = raw.strip()
    if not text:
        raise InvalidRecipientError("plain", "empty")
    return text
