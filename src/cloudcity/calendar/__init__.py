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
from cloudcity.calendar.slots import (
    Slot,
    bookable_slots,
    day_slots,
    earliest_pickup,
    effective_order_time,
    last_bookable_day,
    slots_between,
)

__all__ = [
    "CalendarRules",
    "CalendarRulesError",
    "Capacity",
    "Interval",
    "Slot",
    "YearlyDate",
    "bookable_slots",
    "day_slots",
    "default_rules",
    "earliest_pickup",
    "effective_order_time",
    "last_bookable_day",
    "slots_between",
    "zone",
]
