"""SMS length: GSM-7 (3GPP TS 23.038, with its extension table) or UCS-2, and the segments a text needs.

The GSM 03.38 codec itself comes from the ``gsm0338`` package (an extension-table character
encodes as two septets: ESC + code). One part holds 160 GSM-7 septets or 70 UCS-2 units; a
concatenated message loses a 6-byte header per part: 153 septets or 67 units, and a part
never splits an escape sequence (GSM-7) or a surrogate pair (UCS-2).
"""

from dataclasses import dataclass
from functools import lru_cache

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec

SINGLE = {"gsm7": 160, "ucs2": 70}
MULTI = {"gsm7": 153, "ucs2": 67}


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "gsm7" | "ucs2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


@lru_cache(maxsize=4096)  # texts are made of a few hundred distinct characters: the codec once each
def _gsm7_units(char: str) -> int | None:
    try:
        return len(char.encode("gsm03.38"))
    except (UnicodeEncodeError, ValueError):
        return None


def measure(text: str) -> SmsLength:
    units = [_gsm7_units(c) for c in text]
    if all(u is not None for u in units):
        encoding, per_char = "gsm7", units
    else:
        encoding, per_char = "ucs2", [len(c.encode("utf-16-le")) // 2 for c in text]
    total = sum(per_char)
    if total <= SINGLE[encoding]:
        return SmsLength(encoding, total, 1)
    segments, used = 1, 0
    for n in per_char:  # characters never straddle two parts
        if used + n > MULTI[encoding]:
            segments, used = segments + 1, 0
        used += n
    return SmsLength(encoding, total, segments)
