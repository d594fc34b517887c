"""Reporting periods: a year, a half-year, a quarter or custom dates, as half-open date ranges."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from ..core.refusal import Refusal


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # exclusive
    code: str

    @property
    def start_dt(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day)

    @property
    def end_dt(self) -> datetime:
        return datetime(self.end.year, self.end.month, self.end.day)

    @property
    def label(self) -> str:
        if re.fullmatch(r"\d{4}", self.code):
            return self.code
        match = re.fullmatch(r"(\d{4})-H([12])", self.code)
        if match:
            return str(_l("Half-year %(n)s of %(year)s", n=match[2], year=match[1]))
        match = re.fullmatch(r"(\d{4})-Q([1-4])", self.code)
        if match:
            return str(_l("Quarter %(n)s of %(year)s", n=match[2], year=match[1]))
        return f"{self.start.isoformat()} — {self.last_day.isoformat()}"

    @property
    def last_day(self) -> date:
        """The last day of the period (``end`` is the day after it)."""
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def is_custom(self) -> bool:
        return ".." in self.code

    def query_args(self) -> dict:
        """The dashboard's query arguments that choose this period."""
        if self.is_custom:
            return {"period": "custom", "from": self.start.isoformat(), "to": self.last_day.isoformat()}
        return {"period": self.code}


def parse_period(
    code: str | None = None, start: str | None = None, end: str | None = None, today: date | None = None
) -> Period:
    """``2026``, ``2026-H1``, ``2026-Q3``, or custom ``start``/``end`` ISO dates (end inclusive)."""
    today = today or date.today()
    if start or end:
        try:
            first = date.fromisoformat(start) if start else date(today.year, 1, 1)
            last = date.fromisoformat(end) if end else today
        except ValueError as exc:
            raise Refusal(str(_l("Dates must look like 2026-04-01."))) from exc
        if last < first:
            raise Refusal(str(_l("The end of the period is before its start.")))
        return Period(
            first, date.fromordinal(last.toordinal() + 1), f"{first.isoformat()}..{last.isoformat()}"
        )
    code = (code or str(today.year)).strip().upper()
    if re.fullmatch(r"\d{4}", code):
        year = int(code)
        return Period(date(year, 1, 1), date(year + 1, 1, 1), code)
    match = re.fullmatch(r"(\d{4})-H([12])", code)
    if match:
        year, half = int(match[1]), int(match[2])
        return Period(
            date(year, 1 if half == 1 else 7, 1),
            date(year, 7, 1) if half == 1 else date(year + 1, 1, 1),
            code,
        )
    match = re.fullmatch(r"(\d{4})-Q([1-4])", code)
    if match:
        year, quarter = int(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return Period(first, last, code)
    raise Refusal(str(_l("Unknown period %(code)s: use 2026, 2026-H1 or 2026-Q3.", code=code)))


def period_groups(years) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(year, [(code, label), ...]), ...]``: each year, its half-years and its quarters, for a select
    with one group per year."""
    return [
        (str(year), [(code, parse_period(code).label) for code in codes_of_years([year])]) for year in years
    ]


def codes_of_years(years) -> list[str]:
    """Every year, half-year and quarter code of the given years, in that order."""
    codes = []
    for year in years:
        codes += [str(year), f"{year}-H1", f"{year}-H2"] + [f"{year}-Q{q}" for q in (1, 2, 3, 4)]
    return codes
