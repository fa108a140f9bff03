"""Webhook endpoints belong to one organisation; bad URLs are refused; the office reads every log."""

import uuid

from benachrichtigung.main import create_app
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = str(uuid.uuid4())
DORTMUND = str(uuid.uuid4())


async def test_a_webhook_url_must_be_http_of_sane_length_and_name_known_kinds(  # type: ignore[no-untyped-def]
    settings_for, smtp, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        riesa = bearer(zwk_token("municipality", municipality_id=RIESA))
        bad_bodies = [
            {"url": "ftp://riesa.de/hook"},
            {"url": "javascript:alert(1)"},
            {"url": "file:///etc/passwd"},
            {"url": "https://"},
            {"url": "https://user:secret@riesa.de/hook"},
            {"url": "https://riesa.de/" + "a" * 2048},
            {"url": "https://riesa.de/hook", "kinds": ["gossip"]},
            {"url": "https://riesa.de/hook", "frequency": "hourly"},
            {"url": "https://riesa.de/hook", "secret": "whsec_mine"},
            {},
        ]
        for body in bad_bodies:
            response = await client.post("/webhooks", json=body, headers=riesa)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["code"] == "BAD_USER_INPUT"
        assert (await client.get("/webhooks", headers=riesa)).json() == []

        ok = await client.post("/webhooks", json={"url": "https://riesa.de/" + "a" * 2000}, headers=riesa)
        assert ok.status_code == 201
        endpoint = ok.json()
        changed = await client.patch(f"/webhooks/{endpoint['id']}", json={"url": "gopher://riesa.de"}, headers=riesa)
        assert changed.status_code == 422
        nulled = await client.patch(f"/webhooks/{endpoint['id']}", json={"url": None}, headers=riesa)
        assert nulled.status_code == 422
        assert (await client.get(f"/webhooks/{endpoint['id']}", headers=riesa)).json()["url"] == endpoint["url"]


async def test_an_organisation_manages_only_its_own_endpoints(settings_for, smtp, zwk_token) -> None:  # type: ignore[no-untyped-def]
    async with running_app(create_app(settings_for(smtp))) as client:
        riesa = bearer(zwk_token("municipality", municipality_id=RIESA))
        dortmund = bearer(zwk_token("municipality", municipality_id=DORTMUND))
        office = bearer(zwk_token("office"))
        created = await client.post(
            "/webhooks",
            json={"url": "https://riesa.de/hook", "description": "Ratsinfo", "kinds": ["stage_overdue", "comment"]},
            headers=riesa,
        )
        assert created.status_code == 201
        endpoint = created.json()
        assert endpoint["organisation"] == RIESA
        assert endpoint["kinds"] == ["comment", "stage_overdue"]
        assert endpoint["frequency"] == "immediately" and endpoint["active"] is True
        path = f"/webhooks/{endpoint['id']}"

        assert [e["id"] for e in (await client.get("/webhooks", headers=riesa)).json()] == [endpoint["id"]]
        assert "secret" not in (await client.get(path, headers=riesa)).json()
        assert (await client.get("/webhooks", headers=dortmund)).json() == []
        assert (await client.get("/webhooks", params={"organisation": RIESA}, headers=dortmund)).status_code == 403
        for method, extra in (("get", {}), ("patch", {"json": {"active": False}}), ("delete", {})):
            response = await client.request(method.upper(), path, headers=dortmund, **extra)
            assert response.status_code == 404, method
        assert (await client.post(f"{path}/secret", headers=dortmund)).status_code == 404
        assert (await client.get(f"{path}/deliveries", headers=dortmund)).status_code == 404

        # The office reads any organisation's endpoints and logs but changes only its own.
        assert (await client.get(path, headers=office)).status_code == 200
        assert [e["id"] for e in (await client.get("/webhooks", params={"organisation": RIESA}, headers=office)).json()]
        assert (await client.get(f"{path}/deliveries", headers=office)).status_code == 200
        assert (await client.patch(path, json={"active": False}, headers=office)).status_code == 404
        assert (await client.get("/webhooks", headers=office)).json() == []
        own = await client.post("/webhooks", json={"url": "https://zwk.example/hook"}, headers=office)
        assert own.json()["organisation"] == "office"

        for role, claims in (("adviser", {"municipality_ids": [RIESA]}), ("reader", {})):
            token = bearer(zwk_token(role, **claims))
            assert (await client.post("/webhooks", json={"url": "https://a.de"}, headers=token)).status_code == 403
            assert (await client.get("/webhooks", headers=token)).status_code == 403

        paused = await client.patch(path, json={"active": False, "frequency": "weekly"}, headers=riesa)
        assert paused.status_code == 200
        assert paused.json()["active"] is False and paused.json()["frequency"] == "weekly"
        rotated = await client.post(f"{path}/secret", headers=riesa)
        assert rotated.status_code == 200
        assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != endpoint["secret"]
        assert (await client.delete(path, headers=riesa)).status_code == 204
        assert (await client.get(path, headers=riesa)).status_code == 404


async def test_the_office_reads_every_delivery_and_an_organisation_only_its_own(  # type: ignore[no-untyped-def]
    settings_for, smtp, receiver, publish, event, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        riesa = bearer(zwk_token("municipality", municipality_id=RIESA))
        dortmund = bearer(zwk_token("municipality", municipality_id=DORTMUND))
        office = bearer(zwk_token("office", subject="office-anna"))
        await client.put(
            "/office-users/office-anna", json={"name": "Anna Berger", "email": "anna@zwk.test"}, headers=office
        )
        endpoint = (await client.post("/webhooks", json={"url": receiver.url("/riesa")}, headers=riesa)).json()
        await publish(
            event(
                "zwk.prozess.stage.started",
                {
                    "municipality_id": RIESA,
                    "municipality_name": "Riesa",
                    "programme": "ZWK",
                    "stage": "ZUKUNFTSWERKSTATT",
                    "status": "IN_PROGRESS",
                    "due_date": None,
                    "at": "2024-04-01T09:00:00+00:00",
                    "actor": "riesa-staff",
                    "reason": None,
                },
            )
        )

        async def settled():  # type: ignore[no-untyped-def]
            page = (await client.get("/deliveries", headers=office)).json()
            return page if page["total_count"] == 2 and {d["status"] for d in page["items"]} == {"delivered"} else None

        page = await eventually(settled)
        assert sorted(d["channel"] for d in page["items"]) == ["email", "webhook"]
        webhook = next(d for d in page["items"] if d["channel"] == "webhook")
        email = next(d for d in page["items"] if d["channel"] == "email")
        assert "anna@zwk.test" not in str(page)

        only_email = (await client.get("/deliveries", params={"channel": "email"}, headers=office)).json()
        assert [d["id"] for d in only_email["items"]] == [email["id"]]
        first = (await client.get("/deliveries", params={"first": 1}, headers=office)).json()
        rest = await client.get("/deliveries", params={"first": 1, "after": first["next_cursor"]}, headers=office)
        assert {first["items"][0]["id"], rest.json()["items"][0]["id"]} == {webhook["id"], email["id"]}

        assert (await client.get("/deliveries", headers=riesa)).status_code == 403
        assert (await client.get(f"/deliveries/{webhook['id']}", headers=riesa)).status_code == 200
        assert (await client.get(f"/deliveries/{email['id']}", headers=riesa)).status_code == 404
        assert (await client.get(f"/deliveries/{webhook['id']}", headers=dortmund)).status_code == 404
        assert (await client.get(f"/deliveries/{email['id']}", headers=office)).json()["attempts"] == 1
        log = (await client.get(f"/webhooks/{endpoint['id']}/deliveries", headers=riesa)).json()
        assert [d["id"] for d in log["items"]] == [webhook["id"]]
        assert (await client.get("/deliveries", params={"status": "lost"}, headers=office)).status_code == 422


async def test_in_production_a_webhook_to_a_loopback_or_private_address_is_refused(settings_for, smtp) -> None:  # type: ignore[no-untyped-def]
    from zwk_common.auth import mint_token

    settings = settings_for(smtp, environment="production", jwt_secret="a-production-secret-of-forty-characters!")
    async with running_app(create_app(settings)) as client:
        riesa = bearer(mint_token(settings, role="municipality", municipality_id=RIESA))
        for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.0.0.7/hook", "http://[::1]/"):
            response = await client.post("/webhooks", json={"url": url}, headers=riesa)
            assert response.status_code == 422, url
            assert "public address" in response.json()["detail"]
        assert (await client.get("/webhooks", headers=riesa)).json() == []
        public = await client.post("/webhooks", json={"url": "https://93.184.216.34/hook"}, headers=riesa)
        assert public.status_code == 201
