"""The bakery's calendar: opening hours, pickup slots, availability and customers' answers.

Pure domain code: no database, no web, no clock. Every function that needs "now" takes it
as an aware datetime; booked counts are passed in.

Reading customers' answers (`calendar.parse`, `calendar.choose`, on dateparser) and public
holidays (`calendar.public_holidays`, on holidays) are imported from their own modules, so
the outbox worker and the CLI, which never need them, start without loading either library.
"""

from cloudcity.calendar.availability import (
    Accepted,
    Booked,
    FreeSlot,
    PickupQuery,
    Reason,
    Refusal,
    Verdict,
    check,
    first_free_on,
    free_slots,
    nearest_free,
    next_free,
)
from cloudcity.calendar.display import (
    day_label,
    moment_label,
    numbered,
    refusal_message,
    slot_label,
)
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
    "Accepted",
    "Booked",
    "CalendarRules",
    "CalendarRulesError",
    "Capacity",
    "FreeSlot",
    "Interval",
    "PickupQuery",
    "Reason",
    "Refusal",
    "Slot",
    "Verdict",
    "YearlyDate",
    "bookable_slots",
    "check",
    "day_label",
    "day_slots",
    "default_rules",
    "earliest_pickup",
    "effective_order_time",
    "first_free_on",
    "free_slots",
    "last_bookable_day",
    "moment_label",
    "nearest_free",
    "next_free",
    "numbered",
    "refusal_message",
    "slot_label",
    "slots_between",
    "zone",
]
