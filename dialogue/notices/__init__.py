"""Telling people: invitations with calendar attachments, reminders, follow-up digests and
the citizen's notice, written to an outbox with the change and sent by background jobs."""
