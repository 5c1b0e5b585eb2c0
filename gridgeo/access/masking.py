"""Personal data masked for display: phones as 138****1234, names as 张** (the convention of
Chinese grid systems); the reporter's free text (it often names people and places) withheld."""

from __future__ import annotations

import re

import pandas as pd

PERSONAL_FIELDS = ("reporter_name", "reporter_phone", "text")


def mask_phone(phone: str | None) -> str | None:
    """``13812341234`` (or ``+86 138-1234-1234``) → ``138****1234``; other numbers keep their
    first 3 and last 4 digits."""
    if phone is None or (isinstance(phone, float) and pd.isna(phone)):
        return None
    digits = re.sub(r"\D", "", str(phone))
    if len(digits) == 13 and digits.startswith("86"):  # +86 country code before a mobile number
        digits = digits[2:]
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name: str | None) -> str | None:
    """``张三丰`` → ``张**``; ``Li Lei`` → ``L*****``."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return None
    text = str(name).strip()
    return text[:1] + "*" * (len(text) - 1) if text else text


def mask_record(record: dict) -> dict:
    """A copy of an event record with its personal fields masked (the text withheld: None)."""
    out = dict(record)
    if "text" in out:
        out["text"] = None
    if "reporter_name" in out:
        out["reporter_name"] = mask_name(out["reporter_name"])
    if "reporter_phone" in out:
        out["reporter_phone"] = mask_phone(out["reporter_phone"])
    return out


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of an events frame with its personal columns masked (the text withheld)."""
    out = frame.copy()
    if "text" in out:
        out["text"] = None
    if "reporter_name" in out:
        out["reporter_name"] = out["reporter_name"].map(mask_name)
    if "reporter_phone" in out:
        out["reporter_phone"] = out["reporter_phone"].map(mask_phone)
    return out
