"""Text messages the bot sends on its own, e.g. a link when a department is closed: through
Twilio's Messages API with the official client. A failure is logged and never breaks the call."""
from __future__ import annotations

import logging

from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from bot.engine.io import OutgoingText
from bot.logging_setup import mask
from bot.twilio_rest import rest_client

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5


class TwilioTexts:
    def __init__(self, client: Client, sender: str):
        self.client = client
        self.sender = sender

    @classmethod
    def from_settings(cls, settings, *, http_client=None) -> "TwilioTexts | None":
        if not (settings.twilio_sms_from and settings.twilio_account_sid and settings.twilio_auth_token):
            return None
        return cls(rest_client(settings, timeout=TIMEOUT_SECONDS, http_client=http_client), settings.twilio_sms_from)

    def send(self, text: OutgoingText) -> bool:
        # A Messaging Service SID goes in messaging_service_sid; a phone number in from_.
        sender = {"messaging_service_sid": self.sender} if self.sender.startswith("MG") else {"from_": self.sender}
        try:
            self.client.messages.create(to=text.to, body=text.body, **sender)
        except (TwilioException, OSError) as exc:
            log.warning("text message to %s not sent: %s", mask(text.to), exc.__class__.__name__)
            return False
        log.info("text message sent to %s", mask(text.to))
        return True
