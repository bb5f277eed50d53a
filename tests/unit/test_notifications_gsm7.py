"""SMS length known before sending: GSM-7 with its extension table, or UCS-2."""

from services.notifications.domain.gsm7 import measure


def test_plain_swedish_is_gsm7_and_160_fit_one_part():
    assert measure("Hej! Välkommen till Öppna Malmö, Rosengård kl. 18:00").encoding == "gsm7"
    assert measure("a" * 160).segments == 1
    assert measure("a" * 161).segments == 2
    assert measure("a" * 306).segments == 2
    assert measure("a" * 307).segments == 3


def test_extension_characters_count_twice_and_never_straddle_parts():
    m = measure("€[]{}|^~\\")
    assert m.encoding == "gsm7" and m.units == 18
    assert measure("€" * 80).segments == 1  # 160 septets
    assert measure("€" * 81).segments == 2
    # 152 septets, then a two-septet character: it opens the second part rather than split
    m = measure("a" * 152 + "€" + "a" * 10)
    assert m.units == 164 and m.segments == 2
    assert measure("a" * 152 + "€" * 77).segments == 3  # 153-septet parts: 152 | 76×2=152 | 1×2


def test_anything_outside_gsm7_makes_it_ucs2_with_70_and_67():
    assert measure("Malmö – en stad").encoding == "ucs2"  # the en dash is not GSM-7
    arabic = "مرحبا"
    assert measure(arabic).encoding == "ucs2"
    assert measure("ب" * 70).segments == 1
    assert measure("ب" * 71).segments == 2
    assert measure("ب" * 134).segments == 2
    assert measure("ب" * 135).segments == 3


def test_an_emoji_is_two_ucs2_units_and_is_not_split():
    m = measure("😀" * 35)
    assert m.units == 70 and m.segments == 1
    assert measure("a" + "😀" * 33).segments == 1  # 67 units
    m = measure("a" + "😀" * 35)  # 71 units: parts of 67 hold "a" + 33 emoji, then 2 emoji
    assert m.units == 71 and m.segments == 2
    assert measure("a" * 66 + "😀" * 3).segments == 2  # the pair never straddles the 67-unit border
