"""Handing a conversation to a person and back: while staff have it, the bot keeps quiet.

A conversation stays with staff (`handoff_at`, listed in the inbox) until they answer the
customer or hand it back. The bot keeps quiet for a while after the handoff and after each
staff reply; when that time passes it talks again, but a customer nobody has answered yet
still waits in the inbox. `HANDED_OFF` in the conversation's data says when the bot last went
quiet (so a second handoff makes it quiet again) and that it has not said it is back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cloudcity.db import UnitOfWork
from cloudcity.db.repositories.values import ConversationState

REASON_MAX = 200
HANDED_OFF = "handed_off"  # in the data: when the bot went quiet (ISO time), until it is back


def mark_handed_off(conversation: ConversationState, *, reason: str, now: datetime) -> None:
    """Give the conversation to staff (it keeps its first handoff time); the bot goes quiet."""
    if conversation.handoff_at is None:
        conversation.handoff_at = now
        conversation.handoff_reason = reason[:REASON_MAX]
    conversation.data = {**conversation.data, HANDED_OFF: now.isoformat()}


def mark_handed_back(conversation: ConversationState) -> None:
    """Give the conversation back to the bot."""
    conversation.handoff_at = None
    conversation.handoff_reason = None


def hand_off(*, uow: UnitOfWork, address: str, reason: str, now: datetime) -> None:
    """Hand the address's conversation to staff (idempotent)."""
    conversation = uow.conversations.locked(address=address, now=now)
    mark_handed_off(conversation, reason=reason, now=now)
    uow.conversations.save(conversation)


def hand_back(*, uow: UnitOfWork, address: str, now: datetime) -> None:
    """Hand the address's conversation back to the bot."""
    conversation = uow.conversations.locked(address=address, now=now)
    mark_handed_back(conversation)
    uow.conversations.save(conversation)


def bot_is_quiet(conversation: ConversationState, *, now: datetime, quiet: timedelta) -> bool:
    """Staff have the conversation, and it is less than `quiet` since the bot went quiet or
    their last reply, whichever came later."""
    if conversation.handoff_at is None:
        return False
    last = max(
        conversation.handoff_at,
        conversation.staff_reply_at or conversation.handoff_at,
        went_quiet(conversation) or conversation.handoff_at,
    )
    return now < last + quiet


def went_quiet(conversation: ConversationState) -> datetime | None:
    """When the bot last went quiet, while it has not said it is back."""
    value = conversation.data.get(HANDED_OFF)
    if not isinstance(value, str):  # True in conversations handed off before it was a time
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def bot_resumes(conversation: ConversationState) -> bool:
    """The bot talks again (handed back, or the quiet time passed): True once per handoff.

    Staff keep the conversation until they have answered the customer's last message, so one
    nobody answered stays waiting in the inbox though the bot talks.
    """
    was_quiet = bool(conversation.data.get(HANDED_OFF))
    if conversation.handoff_at is not None and _answered(conversation):
        mark_handed_back(conversation)
        was_quiet = True
    if HANDED_OFF in conversation.data:
        conversation.data = {k: v for k, v in conversation.data.items() if k != HANDED_OFF}
    return was_quiet


def _answered(conversation: ConversationState) -> bool:
    """Staff replied after the handoff and after the customer last wrote."""
    replied, handed = conversation.staff_reply_at, conversation.handoff_at
    if replied is None or handed is None:
        return False
    return replied >= max(handed, conversation.updated_at)
