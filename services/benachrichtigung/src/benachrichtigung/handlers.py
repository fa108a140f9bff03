"""The events benachrichtigung consumes: one table from event to handler.

Recipients are kept from kommunen's and austausch's events; everything the rules table names
is turned into notifications.
"""

from benachrichtigung import events
from benachrichtigung.config import Settings
from benachrichtigung.notifications.service import notify_of, notify_once, told_in_one_statement
from benachrichtigung.recipients import service as recipients
from benachrichtigung.rules import RULES
from zwk_common.events import EventPayload
from zwk_common.messaging import EventContext, Handler, OneStatement


async def keep_advisers(event: events.MunicipalityRegistered, ctx: EventContext) -> bool:
    assert ctx.claim is not None, "a OneStatement handler is given its claim"
    return await recipients.keep_advisers(ctx.session, event.municipality_id, event.adviser_subjects, ctx.claim)


async def keep_contact(event: events.ContactAdded, ctx: EventContext) -> None:
    await recipients.keep_contact(
        ctx.session,
        contact_id=event.contact_id,
        municipality_id=event.municipality_id,
        name=event.name,
        function=event.function,
        email=event.email,
        subject=event.subject,
    )


async def forget_contact(event: events.ContactRemoved, ctx: EventContext) -> None:
    await recipients.forget_contact(ctx.session, event.contact_id)


async def keep_follow(event: events.FollowStarted, ctx: EventContext) -> None:
    await recipients.follow(ctx.session, event.subject, event.target_kind, event.target_id, event.email)


async def drop_follow(event: events.FollowStopped, ctx: EventContext) -> None:
    await recipients.unfollow(ctx.session, event.subject, event.target_kind, event.target_id)


def event_handlers(settings: Settings) -> dict[type, Handler]:
    """The table, with the settings the digest times and retry window come from."""

    async def tell_recipients(event: EventPayload, ctx: EventContext) -> None:
        await notify_of(ctx.session, event, event_id=ctx.envelope.id, settings=settings)

    async def tell_recipients_once(event: EventPayload, ctx: EventContext) -> bool:
        assert ctx.claim is not None, "a OneStatement handler is given its claim"
        return await notify_once(ctx.session, event, claim=ctx.claim, event_id=ctx.envelope.id, settings=settings)

    # An event one rule names is told in one statement with its inbox claim (most of them, and
    # every stage event); one that two rules name takes two fan-outs, in one transaction.
    telling = {
        rule.event: OneStatement(tell_recipients_once)
        if told_in_one_statement(rule.event.event_type)
        else tell_recipients
        for rule in RULES
    }
    return {
        events.MunicipalityRegistered: OneStatement(keep_advisers),
        events.MunicipalityUpdated: OneStatement(keep_advisers),
        events.ContactAdded: keep_contact,
        events.ContactChanged: keep_contact,
        events.ContactRemoved: forget_contact,
        events.FollowStarted: keep_follow,
        events.FollowStopped: drop_follow,
        # Every event the rules table names (see rules.py for who is told what).
        **telling,
    }
