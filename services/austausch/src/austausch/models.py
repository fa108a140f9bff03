"""The tables of austausch, all in the schema `austausch`."""

from zwk_common.db import service_metadata
from zwk_common.inbox import Inbox
from zwk_common.outbox import Outbox

SCHEMA = "austausch"
metadata = service_metadata(SCHEMA)
outbox = Outbox(metadata, source="/zwk/austausch")
inbox = Inbox(metadata)
