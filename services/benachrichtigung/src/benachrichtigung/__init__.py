"""benachrichtigung: notifications: inbox, e-mail, signed webhooks, digests, preferences."""
