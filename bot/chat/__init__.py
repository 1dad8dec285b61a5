"""Chat channels (SMS, WhatsApp, web) around the same engine and store as voice.

Channel-neutral pieces only, no HTTP: web chat sessions and their tokens, SMS/WhatsApp threads,
idle expiry, rate limits, the transcript, and delivering a handoff to the agent desk. Everything
lives in the database, so any worker can take the next message.
"""
