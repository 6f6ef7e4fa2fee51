"""SVG charts drawn from a run's numbers (no images, no JavaScript): refund by month stacked by
program, and exposure and refund by importer. Shared by the HTML report and the web page."""
from __future__ import annotations

from decimal import Decimal
from html import escape

# One colour per program, fixed so that the same program has the same colour in every report.
PALETTE = {"ieepa_fentanyl": "#c0392b", "ieepa_reciprocal": "#e67e22", "ieepa_other": "#f1c40f",
           "section_301": "#2980b9", "section_232": "#8e44ad", "section_122": "#16a085", "section_201": "#7f8c8d",
           "section_338": "#d35400", "mfn": "#2c3e50", "mpf": "#95a5a6", "hmf": "#bdc3c7"}
_EXTRA = ["#27ae60", "#9b59b6", "#34495e", "#e84393", "#00cec9", "#6c5ce7"]


def colour(program: str, index: int = 0) -> str:
    return PALETTE.get(program, _EXTRA[index % len(_EXTRA)])


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def stacked_months(series: dict[str, dict[str, Decimal]], title: str) -> str:
    """{month: {program: amount}} -> a stacked column chart (one column per month)."""
    months = sorted(series)
    programs = sorted({p for m in months for p in series[m]})
    width, height, left, bottom, top = max(360, 60 + 44 * len(months)), 300, 70, 50, 30
    totals = [sum(series[m].values(), Decimal(0)) for m in months]
    peak = max(totals, default=Decimal(0)) or Decimal(1)
    scale = Decimal(height - bottom - top) / peak
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height + 20 * len(programs)}"'
             f' aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<text x="{left}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>']
    base_y = height - bottom
    parts.append(f'<line x1="{left}" y1="{base_y}" x2="{width - 10}" y2="{base_y}" stroke="#333"/>')
    for tick in range(5):
        value = peak * tick / 4
        y = base_y - float(value * scale)
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{_money(value)}</text>')
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>')
    for i, month in enumerate(months):
        x = left + 10 + 44 * i
        y = float(base_y)
        for j, program in enumerate(programs):
            amount = series[month].get(program, Decimal(0))
            if amount <= 0:
                continue
            h = float(amount * scale)
            y -= h
            parts.append(f'<rect x="{x}" y="{y:.1f}" width="30" height="{h:.1f}" fill="{colour(program, j)}">'
                         f'<title>{escape(month)} {escape(program)}: {_money(amount)}</title></rect>')
        parts.append(f'<text x="{x + 15}" y="{base_y + 14}" font-size="10" text-anchor="end" '
                     f'transform="rotate(-45 {x + 15} {base_y + 14})">{escape(month)}</text>')
    for j, program in enumerate(programs):
        y = height + 20 * j
        parts.append(f'<rect x="{left}" y="{y - 10}" width="12" height="12" fill="{colour(program, j)}"/>'
                     f'<text x="{left + 18}" y="{y}" font-size="11">{escape(program)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars_by_importer(rows: list[tuple[str, Decimal, Decimal]], title: str) -> str:
    """[(importer, exposure, refund)] -> horizontal bars, exposure and refund side by side."""
    rows = rows[:25]
    width, left, bar = 640, 200, 12
    height = 50 + len(rows) * (2 * bar + 10)
    peak = max([max(e, r) for _, e, r in rows], default=Decimal(0)) or Decimal(1)
    scale = Decimal(width - left - 110) / peak
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<text x="10" y="18" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<rect x="{left}" y="26" width="10" height="10" fill="#c0392b"/><text x="{left + 14}" y="35" '
             'font-size="11">exposure</text>',
             f'<rect x="{left + 90}" y="26" width="10" height="10" fill="#27ae60"/><text x="{left + 104}" y="35" '
             'font-size="11">refund</text>']
    for i, (importer, exposure, refund) in enumerate(rows):
        y = 46 + i * (2 * bar + 10)
        parts.append(f'<text x="{left - 6}" y="{y + bar + 4}" font-size="11" text-anchor="end">'
                     f'{escape(importer[:30])}</text>')
        for k, (amount, fill) in enumerate(((exposure, "#c0392b"), (refund, "#27ae60"))):
            w = float(amount * scale)
            parts.append(f'<rect x="{left}" y="{y + k * bar}" width="{w:.1f}" height="{bar - 1}" fill="{fill}">'
                         f'<title>{escape(importer)}: {_money(amount)}</title></rect>'
                         f'<text x="{left + w + 4:.1f}" y="{y + k * bar + bar - 2}" font-size="10">{_money(amount)}</text>')
    parts.append("</svg>")
    return "".join(parts)
