"""The root operations: queries, mutations and subscriptions, each a thin call into `gateway.sources`."""

import strawberry


def present(value: object) -> bool:
    """Whether an optional argument or input field was given a value."""
    return value is not strawberry.UNSET and value is not None
