"""The bakery's calendar: opening hours, pickup slots, availability and customers' answers.

Pure domain code: no database, no web, no clock. Every function that needs "now" takes it
as an aware datetime; booked counts are passed in.
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
from cloudcity.calendar.choose import choose_pickup, resolve
from cloudcity.calendar.display import (
    day_label,
    moment_label,
    numbered,
    refusal_message,
    slot_label,
)
from cloudcity.calendar.parse import (
    Choice,
    Earliest,
    ExactTime,
    NotUnderstood,
    OnDay,
    Part,
    PartOfDay,
    PickupAnswer,
    date_order,
    parse_pickup,
)
from cloudcity.calendar.public_holidays import Holiday, public_holidays
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
    "Choice",
    "Earliest",
    "ExactTime",
    "FreeSlot",
    "Holiday",
    "Interval",
    "NotUnderstood",
    "OnDay",
    "Part",
    "PartOfDay",
    "PickupAnswer",
    "PickupQuery",
    "Reason",
    "Refusal",
    "Slot",
    "Verdict",
    "YearlyDate",
    "bookable_slots",
    "check",
    "choose_pickup",
    "date_order",
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
    "parse_pickup",
    "public_holidays",
    "refusal_message",
    "resolve",
    "slot_label",
    "slots_between",
    "zone",
]
