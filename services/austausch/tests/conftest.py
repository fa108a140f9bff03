"""The forum running on the test's PostgreSQL and NATS, with municipalities known to it."""

import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

# The tests import their shared world (`austausch_world`) from this folder.
sys.path.insert(0, str(Path(__file__).parent))

from austausch_world import MUNICIPALITIES, Forum  # noqa: E402

from austausch.config import Settings  # noqa: E402
from austausch.main import create_app  # noqa: E402
from zwk_common.testing import running_app  # noqa: E402


@pytest.fixture
async def forum(zwk_clean: dict[str, str], zwk_token: Callable[..., str]) -> AsyncIterator[Forum]:
    """The forum with the test municipalities known; it consumes no events (a consumer takes a second to stop)."""
    app = create_app(Settings(run_consumers=False))
    async with running_app(app) as client:
        forum = Forum(client=client, app=app, mint=zwk_token)
        await forum.know(*MUNICIPALITIES)
        yield forum


@pytest.fixture
async def consuming_forum(zwk_clean: dict[str, str], zwk_token: Callable[..., str]) -> AsyncIterator[Forum]:
    """The forum as it runs: consuming kommunen's events, knowing nothing it was not told by them."""
    app = create_app()
    async with running_app(app) as client:
        yield Forum(client=client, app=app, mint=zwk_token)
