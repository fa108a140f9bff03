"""How `zwk` and the test plugin run gateway: found through the `zwk.services` entry point
without importing the service itself (that takes seconds)."""

from zwk_common.registry import ServiceSpec

spec = ServiceSpec(name="gateway", app="gateway.main:create_app", port=8000, order=90)
