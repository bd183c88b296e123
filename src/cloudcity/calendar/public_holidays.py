"""A country's public holidays, offered to the baker as closed dates (a one-click import)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays


@dataclass(frozen=True)
class Holiday:
    """One public holiday: its date and its name in English."""

    day: date
    name: str


def public_holidays(country: str, year: int, *, subdivision: str | None = None) -> list[Holiday]:
    """The public holidays of a country (ISO code, e.g. "GB", "US") in a year, by date."""
    try:
        found = holidays.country_holidays(
            country.upper(), subdiv=subdivision, years=year, language="en_US"
        )
    except NotImplementedError as error:
        raise ValueError(
            f"no public holidays known for country {country!r}"
            f"{f' and subdivision {subdivision!r}' if subdivision else ''}: "
            "use an ISO 3166 code such as 'GB' or 'US' (and e.g. 'ENG' or 'CA' for a region)"
        ) from error
    return [Holiday(day, name) for day, name in sorted(found.items())]
