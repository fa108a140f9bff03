"""The event catalogue as an AsyncAPI 3 document, generated from the payload models in the code."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from zwk_common.events import Envelope, EventPayload
from zwk_common.registry import ServiceSpec


def payload_models(module_name: str) -> list[type[EventPayload]]:
    """The EventPayload classes a service's `events` module declares."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return []
    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, EventPayload)
        and value is not EventPayload
        and value.__module__ == module.__name__
        and hasattr(value, "event_type")
    ]


def _channel_id(event_type: str) -> str:
    return event_type.replace(".", "_")


def build(specs: list[ServiceSpec], *, subject_root: str = "zwk", version: str = "0.1.0") -> dict[str, Any]:
    """The catalogue: a channel and message per event type, the publisher's `send` and every consumer's `receive`."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    published: dict[str, tuple[str, type[EventPayload]]] = {}
    consumed: dict[str, list[str]] = {}
    for spec in specs:
        package = spec.app.split(".", 1)[0]
        for model in payload_models(f"{package}.events"):
            owner = model.event_type.split(".")[1]
            if owner == spec.name:
                published[model.event_type] = (spec.name, model)
            else:
                consumed.setdefault(model.event_type, []).append(spec.name)
    for event_type, (service, model) in sorted(published.items()):
        channel = _channel_id(event_type)
        _, _, rest = event_type.partition(".")
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        channels[channel] = {
            "address": f"{subject_root}.{rest}",
            "messages": {
                channel: {
                    "name": event_type,
                    "title": model.__name__,
                    "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else event_type,
                    "contentType": "application/cloudevents+json",
                    "headers": {
                        "type": "object",
                        "properties": {
                            "Nats-Msg-Id": {"type": "string", "description": "the event id; JetStream de-duplicates"},
                            "traceparent": {"type": "string", "description": "W3C trace context"},
                        },
                    },
                    "payload": {
                        "allOf": [
                            {"$ref": "#/components/schemas/Envelope"},
                            {
                                "type": "object",
                                "properties": {
                                    "type": {"const": event_type},
                                    "dataversion": {"const": model.version},
                                    "data": schema,
                                },
                            },
                        ]
                    },
                }
            },
        }
        operations[f"{service}_sends_{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"{service} publishes through its outbox",
        }
        for consumer in sorted(consumed.get(event_type, [])):
            operations[f"{consumer}_receives_{channel}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel}"},
                "summary": f"durable consumer {consumer}-{service}",
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "ZWK platform events",
            "version": version,
            "description": "Every event on the stream ZWK, generated from the payload models in the code.",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": {"Envelope": Envelope.model_json_schema()}},
    }
