"""The tables of benachrichtigung, all in the schema `benachrichtigung`."""

from zwk_common.db import service_metadata
from zwk_common.inbox import Inbox
from zwk_common.outbox import Outbox

SCHEMA = "benachrichtigung"
metadata = service_metadata(SCHEMA)
outbox = Outbox(metadata, source="/zwk/benachrichtigung")
inbox = Inbox(metadata)
