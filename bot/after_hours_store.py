"""Callback requests and voicemails, stored for agents to work when the department opens."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.store.models import CallbackRequest, Voicemail, utcnow


class SqlCallbacks:
    def __init__(self, session: Session, *, conversation_id: str, clock: Callable[[], dt.datetime] = utcnow):
        self.session = session
        self.conversation_id = conversation_id
        self.clock = clock

    def request(self, *, department: str, phone: str, context: dict) -> None:
        self.session.add(CallbackRequest(conversation_id=self.conversation_id, department=department, phone=phone,
                                         context=dict(context), requested_at=self.clock()))


def save_voicemail(session: Session, *, conversation_id: str, department: str, recording_url: str,
                   duration_seconds: int | None, context: dict) -> None:
    session.add(Voicemail(conversation_id=conversation_id, department=department, recording_url=recording_url,
                          duration_seconds=duration_seconds, context=dict(context), left_at=utcnow()))
