"""Migrate every service's schema, then load each service's reference data; exit 0 when done.

The one-shot step before the services start (compose service `migrate`, Kubernetes Job
`zwk-migrate`). `zwk migrate` migrates only; a deployed system also needs the reference
data `zwk up` loads (e.g. an official register), and every loader is idempotent, so this
runs on every release. Migrations take an advisory lock per schema, so two runs at once
do not collide.
"""

from __future__ import annotations

import asyncio
import os
import sys

from zwk_common.cli import migrate_all
from zwk_common.registry import discover
from zwk_common.settings import ServiceSettings


def main() -> int:
    database_url = os.environ.get("ZWK_DATABASE_URL") or ServiceSettings().database_url
    specs = discover()
    print("migrating " + ", ".join(spec.name for spec in specs if spec.migrations), flush=True)
    migrate_all(database_url, specs)
    for spec in specs:
        load = spec.load_reference_data()
        if load is not None:
            print(f"loading reference data of {spec.name}", flush=True)
            asyncio.run(load(database_url))
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
