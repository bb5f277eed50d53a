"""Bar charts as inline SVG, pure and server-side: no JavaScript, no CDN.

Each chart has a title and a description for assistive technology; the page puts the same
figures in a table beside it. A chart is drawn left to right on every page (``direction="ltr"``:
a right-to-left page would otherwise flip its text anchors onto the bars). A suppressed value draws no bar and reads "..".
"""

from html import escape

from babel import Locale
from babel.numbers import format_decimal, format_percent

WIDTH = 640
LABEL_W = 220
ROW_H = 30
BAR_COLOUR = "#1d5a8c"  # 7.0:1 against white
TEXT_COLOUR = "#1a1a1a"


def fmt(value: float | None, kind: str = "count", lang: str = "sv") -> str:
    """A figure as the reader's locale writes it (CLDR: separators, decimal sign, percent); a
    suppressed one (None) reads ".."."""
    if value is None:
        return ".."
    locale = Locale.parse(lang)
    if kind == "ratio":  # one decimal, in the locale's percent pattern
        return format_percent(value, locale.percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1), locale=locale)
    if kind in ("median", "mean"):
        return format_decimal(value, "#,##0.0" if kind == "median" else "#,##0.00", locale=locale)
    return format_decimal(int(value), locale=locale)


def bar_chart(chart_id: str, title: str, description: str, items: list[tuple[str, float | None]], kind: str = "count", lang: str = "sv", max_value: float | None = None) -> str:
    values = [v for _, v in items if v is not None]
    top = max_value or max(values, default=0) or 1
    height = max(1, len(items)) * ROW_H + 10
    bar_space = WIDTH - LABEL_W - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" direction="ltr">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for n, (name, value) in enumerate(items):
        y = n * ROW_H + 5
        parts.append(f'<text x="{LABEL_W - 8}" y="{y + 19}" text-anchor="end" fill="{TEXT_COLOUR}" font-size="14">{escape(name)}</text>')
        if value is not None:
            w = max(1.0, bar_space * value / top) if value > 0 else 0
            parts.append(f'<rect x="{LABEL_W}" y="{y + 4}" width="{w:.1f}" height="{ROW_H - 10}" fill="{BAR_COLOUR}"/>')
            x = LABEL_W + w + 6
        else:
            x = LABEL_W + 6
        parts.append(f'<text x="{x:.1f}" y="{y + 19}" fill="{TEXT_COLOUR}" font-size="14">{escape(fmt(value, kind, lang))}</text>')
    parts.append("</svg>")
    return "".join(parts)
