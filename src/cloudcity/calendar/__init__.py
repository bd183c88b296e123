"""The bakery's calendar: opening hours, pickup slots, availability and customers' answers.

Pure domain code: no database, no web, no clock. Every function that needs "now" takes it
as an aware datetime; booked counts are passed in.
"""

from cloudcity.calendar.rules import (
    CalendarRules,
    CalendarRulesError,
    Capacity,
    Interval,
    YearlyDate,
    default_rules,
    zone,
)

__all__ = [
    "CalendarRules",
    "CalendarRulesError",
    "Capacity",
    "Interval",
    "YearlyDate",
    "default_rules",
    "zone",
]
