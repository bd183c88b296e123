"""Handing a conversation to a person and back: while staff have it, the bot keeps quiet."""

from __future__ import annotations

from datetime import datetime, timedelta

from cloudcity.db import UnitOfWork
from cloudcity.db.repositories.values import ConversationState

REASON_MAX = 200


def mark_handed_off(conversation: ConversationState, *, reason: str, now: datetime) -> None:
    """Give the conversation to staff; one already with staff keeps its first handoff time."""
    if conversation.handoff_at is None:
        conversation.handoff_at = now
        conversation.handoff_reason = reason[:REASON_MAX]


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
    """Staff have the conversation, and it is less than `quiet` since the handoff or their last
    reply, whichever came later."""
    if conversation.handoff_at is None:
        return False
    last = max(conversation.handoff_at, conversation.staff_reply_at or conversation.handoff_at)
    return now < last + quiet
