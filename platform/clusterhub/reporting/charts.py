"""Server-side SVG charts (no JavaScript, no CDN). Every chart carries a title and a description for
screen readers; pages show the same numbers as a table next to it."""

import re
from html import escape

from flask_babel import get_locale

PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997", "#6c757d", "#ffc107"]


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) or hasattr(value, "quantize"):
        return f"{float(value):,.1f}".replace(",", "\u202f")
    return f"{value:,}".replace(",", "\u202f")


def bar_chart(items: list[tuple[str, float]], title: str, width: int = 640, bar_height: int = 18) -> str:
    """Horizontal bars, largest first as given."""
    items = items[:25]
    top = max((float(v or 0) for _, v in items), default=0) or 1
    label_width, gap = 190, 6
    height = len(items) * (bar_height + gap) + 30
    rows = []
    for i, (label, value) in enumerate(items):
        y = 24 + i * (bar_height + gap)
        length = (width - label_width - 80) * float(value or 0) / top
        rows.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 5}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{PALETTE[0]}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 5}" font-size="12">{_fmt(value)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="t"><title>{escape(title)}</title>'
        f"<desc>{escape(', '.join(f'{label}: {_fmt(v)}' for label, v in items))}</desc>"
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>{"".join(rows)}</svg>'
    )


def line_chart(points: list[tuple[str, float]], title: str, width: int = 640, height: int = 220) -> str:
    """A time series: labels along the x axis, values as a polyline with dots."""
    if not points:
        return ""
    top = max(float(v or 0) for _, v in points) or 1
    left, bottom, right, upper = 50, height - 30, width - 20, 30
    step = (right - left) / max(1, len(points) - 1)
    coords = [
        (left + i * step, bottom - (bottom - upper) * float(v or 0) / top) for i, (_, v) in enumerate(points)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[0]}"/>'
        f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="11">{_fmt(v)}</text>'
        f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" font-size="11">{escape(label)}</text>'
        for (x, y), (label, v) in zip(coords, points, strict=True)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%">'
        f"<title>{escape(title)}</title><desc>{escape(', '.join(f'{lbl}: {_fmt(v)}' for lbl, v in points))}</desc>"
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>'
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#adb5bd"/>'
        f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>{dots}</svg>'
    )


def share_bar(parts: list[tuple[str, float]], title: str, width: int = 640) -> str:
    """One stacked bar of shares (e.g. defense outcomes) with a legend, three entries a line."""
    total = sum(float(v or 0) for _, v in parts)
    if not total:
        return ""
    x, segments, legend = 0.0, [], []
    for i, (label, value) in enumerate(parts):
        share = float(value or 0) / total
        colour = PALETTE[i % len(PALETTE)]
        segments.append(f'<rect x="{x:.1f}" y="24" width="{width * share:.1f}" height="28" fill="{colour}"/>')
        left, top = (i % 3) * (width // 3), 64 + (i // 3) * 18
        legend.append(
            f'<rect x="{left}" y="{top}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 16}" y="{top + 11}" font-size="12">{escape(label)}: {share:.0%}</text>'
        )
        x += width * share
    height = 64 + ((len(parts) + 2) // 3) * 18 + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%">'
        f"<title>{escape(title)}</title>"
        f"<desc>{escape(', '.join(f'{lbl}: {_fmt(v)}' for lbl, v in parts))}</desc>"
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>'
        f"{''.join(segments)}{''.join(legend)}</svg>"
    )


def _colour(value, top) -> str:
    if value is None or not top:
        return "#e9ecef"
    share = max(0.0, min(1.0, float(value) / float(top)))
    # from light blue to dark blue
    r, g, b = int(222 - 209 * share), int(235 - 125 * share), int(247 - 194 * share)
    return f"#{r:02x}{g:02x}{b:02x}"


# Short Russian names where the first letters of the name would be ambiguous or unfamiliar.
RUSSIAN_TILE_NAMES = {
    "RU-MOW": "Мск",
    "RU-SPE": "СПб",
    "92": "Сев",  # regions without an ISO code are keyed by their tax code
    "RU-MOS": "МО",
    "RU-LEN": "ЛО",
    "RU-KB": "КБР",
    "RU-KC": "КЧР",
    "RU-SE": "РСО",
    "RU-YAN": "ЯНАО",
    "RU-KHM": "ХМАО",
    "RU-NEN": "НАО",
    "RU-CHU": "ЧАО",
    "RU-YEV": "ЕАО",
    "93": "ДНР",
    "94": "ЛНР",
    "RU-KDA": "Крдр",
    "RU-KYA": "Крск",
    "RU-SA": "Якут",
    "RU-SAK": "Сах",
    "RU-AL": "Алтай",
    "RU-ALT": "Алт.к",
    "RU-ME": "Мари",
}
_NOT_THE_NAME = re.compile(
    r"\b(Республика|Республики|область|край|автономный|автономная|округ|Народная|г\.)(?!\w)\s*"
)


def tile_name(region) -> str:
    """The few letters a region's tile shows: its Russian short name in Russian, its ISO code otherwise."""
    code = region.iso_code or region.tax_code
    if str(get_locale()) != "ru":
        return code.removeprefix("RU-")
    if code in RUSSIAN_TILE_NAMES:
        return RUSSIAN_TILE_NAMES[code]
    name = _NOT_THE_NAME.sub("", region.name_ru.split(" — ")[0]).strip()
    return name.split()[0][:4]


def tile_map(regions, values: dict, title: str, links: dict | None = None, cell: int = 46) -> str:
    """Russia as a tile grid: one square per region at (tile_row, tile_col), coloured by its value,
    with a legend. ``regions`` are Region rows; ``values`` maps region id to a number.

    With ``links`` each tile is a link whose accessible name starts with the text it shows (its short
    name and value) followed by the region's full name; the map is then a group of links, not an image."""
    top = max((float(v) for v in values.values() if v is not None), default=0)
    width = (max(r.tile_col for r in regions) + 1) * cell
    height = (max(r.tile_row for r in regions) + 1) * cell + 50
    tiles = []
    for region in regions:
        value = values.get(region.id)
        x, y = region.tile_col * cell, region.tile_row * cell + 24
        label = f"{region.name}: {_fmt(value or 0)}"
        short = tile_name(region)
        shown = f"{short} {_fmt(value)}" if value else short
        dark = value and top and float(value) / top > 0.55
        tile = (
            f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="4" '
            f'fill="{_colour(value, top)}"/>'
            f'<text x="{x + cell / 2}" y="{y + cell / 2 - 2}" text-anchor="middle" font-size="10" '
            f'fill="{"#fff" if dark else "#212529"}">{escape(short)}</text>'
            f'<text x="{x + cell / 2}" y="{y + cell / 2 + 11}" text-anchor="middle" font-size="9" '
            f'fill="{"#fff" if dark else "#495057"}">{_fmt(value) if value else ""}</text>'
        )
        if links and region.id in links:
            tile = (
                f'<a href="{escape(links[region.id])}" aria-label="{escape(f"{shown} — {label}")}">'
                f"<title>{escape(label)}</title>{tile}</a>"
            )
        else:
            tile = f'<g role="img" aria-label="{escape(f"{shown} — {label}")}"><title>{escape(label)}</title>{tile}</g>'
        tiles.append(tile)
    legend = "".join(
        f'<rect x="{i * 60}" y="{height - 20}" width="60" height="12" fill="{_colour(top * i / 4, top)}"/>'
        f'<text x="{i * 60}" y="{height - 24}" font-size="10">{_fmt(round(top * i / 4, 1))}</text>'
        for i in range(5)
    )
    role = 'role="group"' if links else 'role="img"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" {role} aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%">'
        f'<text x="0" y="14" font-size="13" font-weight="bold" aria-hidden="true">{escape(title)}</text>'
        f'{"".join(tiles)}<g aria-hidden="true">{legend}</g></svg>'
    )
