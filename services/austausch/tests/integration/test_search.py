"""German full-text search over practices and questions."""

import time

import pytest
from austausch_world import DORTMUND, GOERLITZ, GROSSENHAIN, RIESA  # type: ignore[import-not-found]


async def search(forum, **params):  # type: ignore[no-untyped-def]
    response = await forum.client.get("/search", params=params, headers=forum.reader())
    assert response.status_code == 200, response.text
    return response.json()


def titles(found) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit["title"] for hit in found["items"]]


async def test_a_plural_finds_the_singular(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice()
    await forum.practice(title="Dorfladen mit Café", summary="Ein Laden im Dorf.", body="Öffnungszeiten.")
    found = await search(forum, q="Nachbarschaftsbörsen", prefix="false")
    assert titles(found) == ["Nachbarschaftsbörse Riesa"]
    assert found["corrected_query"] is None


async def test_senioren_finds_a_senior(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice(
        title="Jung hilft Alt",
        summary="Schülerinnen zeigen einem Senior das Smartphone.",
        body="Einmal im Monat in der Bibliothek.",
        topics=["digitalisierung"],
        target_groups=[],
    )
    found = await search(forum, q="Senioren", prefix="false")
    assert titles(found) == ["Jung hilft Alt"]


async def test_a_topic_label_is_searchable_so_pflege_finds_gesundheit_und_pflege(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice(
        title="Gemeindeschwester plus",
        summary="Hausbesuche bei Hochbetagten.",
        body="Beratung zu Hause, bevor Hilfe nötig wird.",
        topics=["gesundheit-pflege"],
    )
    # Tagged one level below: the parent's label counts too.
    await forum.practice(
        title="Seniorenbüro",
        summary="Ein Ort für Fragen des Alters.",
        body="Sprechstunden im Rathaus.",
        topics=["leben-im-alter"],
    )
    await forum.practice()
    found = await search(forum, q="Pflege", prefix="false")
    assert sorted(titles(found)) == ["Gemeindeschwester plus", "Seniorenbüro"]


async def test_a_misspelt_word_is_corrected_and_searched_again(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice()
    found = await search(forum, q="Nachbarschafsbörse")
    assert titles(found) == ["Nachbarschaftsbörse Riesa"]
    assert found["corrected_query"] == "nachbarschaftsbörse"
    assert found["corrections"] == [{"typed": "Nachbarschafsbörse", "corrected": "nachbarschaftsbörse"}]


async def test_a_word_like_nothing_known_is_not_corrected(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice()
    found = await search(forum, q="Quantenkryptographie")
    assert found["items"] == []
    assert found["total_count"] == 0
    assert found["corrected_query"] is None


async def test_the_last_word_matches_as_a_prefix_for_type_ahead(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice()
    for typed in ("Nachbarsch", "Riesa Nachb"):
        found = await search(forum, q=typed)
        assert titles(found) == ["Nachbarschaftsbörse Riesa"]
        assert found["corrected_query"] is None
    # As a whole word it matches nothing, and is corrected to the nearest known word instead.
    assert (await search(forum, q="Nachbarsch", prefix="false"))["corrected_query"] is not None


async def test_a_title_match_ranks_above_a_summary_match_above_a_body_match(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice(title="Bänke im Ort", summary="Sitzgelegenheiten.", body="Eine Mitfahrbank steht am Markt.")
    await forum.practice(title="Mitfahrbank Gröditz", summary="Mitfahren ohne App.", body="Bank mit Schild.")
    await forum.practice(title="Mobil auf dem Land", summary="Die Mitfahrbank als Ergänzung.", body="Ohne Bus.")
    found = await search(forum, q="Mitfahrbank", prefix="false")
    assert titles(found) == ["Mitfahrbank Gröditz", "Mobil auf dem Land", "Bänke im Ort"]
    scores = [hit["score"] for hit in found["items"]]
    assert scores == sorted(scores, reverse=True)


async def test_snippets_highlight_the_match_and_escape_the_text(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice(
        summary="Nachbarn <b>helfen</b> Nachbarn & mehr.",
        body="Die <script>alert(1)</script> Börse vermittelt Nachbarschaftshilfe & mehr.",
    )
    [hit] = (await search(forum, q="Nachbarschaftsbörse", prefix="false"))["items"]
    assert hit["title_highlight"] == "<mark>Nachbarschaftsbörse</mark> Riesa"
    [hit] = (await search(forum, q="vermittelt", prefix="false"))["items"]
    assert "<mark>vermittelt</mark>" in hit["snippet"]
    assert "<script>" not in hit["snippet"]
    assert "&amp;" in hit["snippet"] or "&lt;" in hit["snippet"]
    assert hit["municipality"] == {"id": str(RIESA), "name": "Riesa", "bundesland": "SN", "kind": "STADT"}
    # The summary as written, not escaped: a hit is data, the snippet its HTML rendering.
    assert hit["summary"] == practice["summary"] == "Nachbarn <b>helfen</b> Nachbarn & mehr."


async def test_without_highlighting_title_and_snippet_are_plain_text(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice(summary="Nachbarn helfen Nachbarn & mehr.", body="Die Börse vermittelt Nachbarschaftshilfe.")
    [hit] = (await search(forum, q="Nachbarschaftsbörse", highlight="false"))["items"]
    assert hit["title_highlight"] == "Nachbarschaftsbörse Riesa"
    # The start of the summary, escaped like every snippet, with nothing marked.
    assert hit["snippet"] == "Nachbarn helfen Nachbarn &amp; mehr."
    assert hit["score"] is not None


async def test_a_search_sets_the_planner_up_for_its_own_transaction_only(forum) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from austausch.search.repository import SearchRepository
    from austausch.topics.repository import TopicRepository
    from zwk_common.db import transaction

    async with transaction(forum.sessions) as session:
        widened = await SearchRepository(session).prepare(True, ["gesundheit-pflege", "unbekannt"])
        during = (await session.execute(text("SHOW enable_seqscan"))).scalar()
        # The widening the search does in its own statement is the one topics know (relabelling uses it).
        expected = sorted(await TopicRepository(session).with_children(["gesundheit-pflege", "unbekannt"]))
    # Stay on the index; the topic with those below it, an unknown one not at all.
    assert during == "off"
    assert widened == expected and "gesundheit-pflege" in widened and len(widened) > 1, widened
    async with transaction(forum.sessions) as session:
        after = (await session.execute(text("SHOW enable_seqscan"))).scalar()
    assert after == "on"


def _literal(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "'{" + ",".join(f'"{item}"' for item in value) + "}'"
    return "'" + str(value).replace("'", "''") + "'"


def _nodes(plan: dict) -> list[dict]:  # type: ignore[type-arg]
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


async def test_a_plan_made_once_for_any_words_makes_their_query_once(forum) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL keeps one plan for a search after five of them; that plan must not parse the words
    again for each candidate it ranks, as an expression over the parameters would."""
    from sqlalchemy import text

    from austausch.search.repository import SearchFilter, search_statement
    from zwk_common.db import transaction

    await forum.practice()
    statement, params = search_statement(
        ["Nachbarschaftsbörse", "Ries"], True, SearchFilter(topics=["engagement"]), None, 20, 1000, False, False
    )
    async with transaction(forum.sessions) as session:
        compiled = text(statement).compile(dialect=session.bind.dialect)
        arguments = ", ".join(_literal(params[name]) for name in compiled.positiontup)
        await session.execute(text(f"PREPARE words_once AS {compiled.string}"))
        await session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        explained = await session.execute(text(f"EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE words_once({arguments})"))
        [[plan]] = explained.one()
        found = (await session.execute(text(f"EXECUTE words_once({arguments})"))).mappings().one()
        await session.execute(text("DEALLOCATE words_once"))
    nodes = _nodes(plan["Plan"])
    # The query is made by a subquery run once at the start (an InitPlan)...
    made = [" ".join(node.get("Output", [])) for node in nodes if node["Node Type"] == "Result"]
    assert any("plainto_tsquery(" in output for output in made), plan
    # ...and the documents are matched and ranked with the query it made, never with the words.
    ranking = [out for node in nodes for out in node.get("Output", []) if "ts_rank(" in out]
    matching = [
        node[key]
        for node in nodes
        if node.get("Relation Name") == "search_documents"
        for key in ("Filter", "Index Cond", "Recheck Cond")
        if "@@" in node.get(key, "")
    ]
    assert ranking and matching, plan
    assert not [expression for expression in ranking + matching if "tsquery(" in expression], plan
    # And that plan finds what the search finds.
    assert found["total"] == 1 and "Nachbarschaftsbörse Riesa" in found["items"]


async def test_a_headline_is_escaped_and_its_matches_marked(forum) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from austausch.search.repository import _html
    from zwk_common.db import transaction

    async with transaction(forum.sessions) as session:
        html = await session.scalar(
            text(f"SELECT {_html('CAST(:marked AS text)')}"), {"marked": "<b>\ue000Börse\ue001</b> & mehr"}
        )
    assert html == "&lt;b&gt;<mark>Börse</mark>&lt;/b&gt; &amp; mehr"


async def test_a_page_of_hits_is_what_its_response_model_writes(forum) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL writes the hits: every field, and no other, as pydantic would (times, scores, HTML)."""
    from sqlalchemy import text

    from austausch.search.schemas import SearchResults
    from zwk_common.db import transaction

    fresh = await forum.practice(summary="Nachbarn <b>helfen</b> & mehr.", target_groups=["senioren", "familien"])
    on_the_second = await forum.practice(title="Nachbarschaftsbörse Gröba")
    async with transaction(forum.sessions) as session:
        # A time without microseconds is written without them.
        await session.execute(
            text("UPDATE austausch.search_documents SET published_at = '2024-05-02 08:30:00+02' WHERE entry_id = :id"),
            {"id": on_the_second["id"]},
        )
    await forum.question(municipality_id=DORTMUND)
    for params in (
        {"q": "Nachbarschaftsbörse", "first": 2},
        {"q": "Nachbarschaftsbörse", "highlight": "false", "facets": "false"},
        {"q": "Nachbarschaftsbörse", "topic": "engagement", "kind": "practice"},
        {"first": 1},
    ):
        found = await search(forum, **params)
        assert found["items"], params
        assert SearchResults.model_validate(found).model_dump(mode="json") == found, params
    ranked = await search(forum, q="Nachbarschaftsbörse", prefix="false")
    by_id = {hit["id"]: hit for hit in ranked["items"]}
    assert by_id[fresh["id"]]["published_at"] == fresh["published_at"]
    assert by_id[on_the_second["id"]]["published_at"] == "2024-05-02T06:30:00Z"
    assert by_id[fresh["id"]]["target_groups"] == fresh["target_groups"]


async def test_one_index_holds_practices_and_questions(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice()
    await forum.question(municipality_id=DORTMUND)
    found = await search(forum, q="Nachbarschaftsbörse", prefix="false")
    assert sorted(hit["kind"] for hit in found["items"]) == ["practice", "question"]
    only_questions = await search(forum, q="Nachbarschaftsbörse", prefix="false", kind="question")
    assert titles(only_questions) == ["Wer hat Erfahrung mit einer Nachbarschaftsbörse?"]


async def test_drafts_archived_and_hidden_practices_are_not_found(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice(publish=False)
    archived = await forum.practice(title="Nachbarschaftsbörse Gröba")
    await forum.client.post(f"/practices/{archived['id']}/archive", headers=forum.member(RIESA))
    hidden = await forum.practice(title="Nachbarschaftsbörse Weida")
    await forum.client.post(
        f"/moderation/practice/{hidden['id']}/hide", json={"reason": "Werbung"}, headers=forum.office()
    )
    found = await search(forum, q="Nachbarschaftsbörse")
    assert found["items"] == []
    assert found["total_count"] == 0


async def test_an_edit_is_found_by_its_new_words_and_not_by_its_old(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    await forum.client.patch(
        f"/practices/{practice['id']}", json={"title": "Tauschring Riesa"}, headers=forum.member(RIESA)
    )
    assert titles(await search(forum, q="Tauschring")) == ["Tauschring Riesa"]
    assert titles(await search(forum, q="Riesa Nachbarschaftsbörse", prefix="false")) == []


async def test_filters_narrow_by_topic_target_group_land_kind_and_population(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice()  # Riesa, SN, STADT, 29,620, engagement, senioren
    await forum.practice(
        municipality_id=str(DORTMUND),
        headers=forum.member(DORTMUND),
        title="Nachbarschaftsbörse Nordstadt",
        topics=["integration"],
        target_groups=["migration"],
    )
    await forum.practice(
        municipality_id=str(GOERLITZ),
        headers=forum.member(GOERLITZ),
        title="Nachbarschaftsbörse im Landkreis",
        topics=["wohnumfeld"],
        target_groups=["familien"],
    )
    q = "Nachbarschaftsbörse"
    assert titles(await search(forum, q=q, topic="integration")) == ["Nachbarschaftsbörse Nordstadt"]
    # A first-level topic reaches the topics below it.
    assert titles(await search(forum, q=q, topic="wohnen")) == ["Nachbarschaftsbörse im Landkreis"]
    assert titles(await search(forum, q=q, target_group="senioren")) == ["Nachbarschaftsbörse Riesa"]
    assert sorted(titles(await search(forum, q=q, bundesland="SN"))) == [
        "Nachbarschaftsbörse Riesa",
        "Nachbarschaftsbörse im Landkreis",
    ]
    assert titles(await search(forum, q=q, municipality_kind="LANDKREIS")) == ["Nachbarschaftsbörse im Landkreis"]
    found = await search(forum, q=q, population_min=100_000, population_max=300_000)
    assert titles(found) == ["Nachbarschaftsbörse im Landkreis"]
    # Filters also apply without words: browsing, newest first.
    assert titles(await search(forum, bundesland="NW")) == ["Nachbarschaftsbörse Nordstadt"]


async def test_facets_count_matches_per_topic_whatever_topic_is_chosen(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice(topics=["engagement", "begegnung"])
    await forum.practice(title="Nachbarschaftsbörse Gröba", topics=["engagement"])
    await forum.practice(title="Nachbarschaftsbörse Weida", topics=["integration"])
    found = await search(forum, q="Nachbarschaftsbörse", topic="integration")
    assert titles(found) == ["Nachbarschaftsbörse Weida"]
    assert found["total_count"] == 1
    assert found["facets"] == [
        {"topic": "engagement", "label": "Bürgerschaftliches Engagement", "count": 2},
        {"topic": "begegnung", "label": "Begegnung, Beratung, Selbsthilfe", "count": 1},
        {"topic": "integration", "label": "Integration", "count": 1},
    ]


async def test_totals_and_facets_add_up_over_practices_sharing_their_topics(forum) -> None:  # type: ignore[no-untyped-def]
    for place in ("Gröba", "Weida", "Oschatz"):
        await forum.practice(title=f"Nachbarschaftsbörse {place}", topics=["engagement", "begegnung"])
    await forum.practice(title="Nachbarschaftsbörse Zeithain", topics=["engagement"])
    found = await search(forum, q="Nachbarschaftsbörse", topic="begegnung")
    assert found["total_count"] == 3
    assert {f["topic"]: f["count"] for f in found["facets"]} == {"engagement": 4, "begegnung": 3}
    browsed = await search(forum, topic="engagement")
    assert browsed["total_count"] == 4
    # Without facets the same totals, and facets null rather than empty.
    for params in ({"q": "Nachbarschaftsbörse", "topic": "begegnung"}, {"topic": "engagement"}):
        uncounted = await search(forum, facets="false", **params)
        assert uncounted["facets"] is None
        assert uncounted["total_count"] == (await search(forum, **params))["total_count"]


async def test_ranked_results_page_with_a_cursor(forum) -> None:  # type: ignore[no-untyped-def]
    for place in ("Gröba", "Weida", "Merzdorf", "Pausitz", "Canitz"):
        await forum.practice(title=f"Nachbarschaftsbörse {place}")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": "Nachbarschaftsbörse", "first": 2, **({"after": cursor} if cursor else {})}
        page = await search(forum, **params)
        assert page["total_count"] == 5
        seen += titles(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(
        f"Nachbarschaftsbörse {p}" for p in ("Gröba", "Weida", "Merzdorf", "Pausitz", "Canitz")
    )


async def test_browsing_pages_newest_first(forum) -> None:  # type: ignore[no-untyped-def]
    for title in ("Seniorenlotsen", "Dorfladen mit Café", "Mitfahrbank"):
        await forum.practice(title=title)
    first = await search(forum, first=2)
    assert titles(first) == ["Mitfahrbank", "Dorfladen mit Café"]
    assert all(hit["score"] is None for hit in first["items"])
    rest = await search(forum, first=2, after=first["next_cursor"])
    assert titles(rest) == ["Seniorenlotsen"]


async def test_tsquery_operators_have_no_meaning(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice()
    await forum.practice(title="Gemeindeschwester plus", topics=["gesundheit-pflege"])
    only_operators = await search(forum, q="&|!():*")
    assert only_operators["total_count"] == 2  # no words: everything, newest first
    mixed = await search(forum, q="Pflege & | ! ( ) : * <-> '")
    assert titles(mixed) == ["Gemeindeschwester plus"]
    for nasty in ["'", "\\", "a:*b", "!!!Pflege", "(Pflege", "Pflege)", "Pflege:*", "a<->b", "½ ² ٣", "und oder"]:
        response = await forum.client.get("/search", params={"q": nasty}, headers=forum.reader())
        assert response.status_code == 200, (nasty, response.text)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Nachbarschaftsbörse " * 500},
        {"q": "x" * 10_000},
        {"first": 10_000},
        {"first": 0},
        {"topic": "raumfahrt"},
        {"topic": "Kein Schlüssel"},
        {"bundesland": "XX"},
        {"kind": "comment"},
        {"target_group": "astronauten"},
        {"population_min": 50_000, "population_max": 1_000},
        {"population_min": -1},
        {"after": "bm90LWEtY3Vyc29y"},
    ],
)
async def test_bad_search_input_is_a_clear_problem(forum, params) -> None:  # type: ignore[no-untyped-def]
    response = await forum.client.get("/search", params=params, headers=forum.reader())
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "BAD_USER_INPUT"


async def test_a_cursor_of_browsing_does_not_page_a_ranked_search(forum) -> None:  # type: ignore[no-untyped-def]
    for title in ("Seniorenlotsen", "Mitfahrbank"):
        await forum.practice(title=title)
    browsing = await search(forum, first=1)
    response = await forum.client.get(
        "/search", params={"q": "Mitfahrbank", "after": browsing["next_cursor"]}, headers=forum.reader()
    )
    assert response.status_code == 422


async def test_search_needs_a_token(forum) -> None:  # type: ignore[no-untyped-def]
    assert (await forum.client.get("/search", params={"q": "Pflege"})).status_code == 401


async def test_search_stays_on_the_index_for_twenty_thousand_practices(forum) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from austausch.search.repository import SearchFilter, SearchRepository, search_statement
    from zwk_common.db import transaction

    async with transaction(forum.sessions) as session:
        await session.execute(
            text(
                """
                WITH generated AS (
                    SELECT gen_random_uuid() AS id, i,
                           'Praxis ' || i || ' '
                               || (ARRAY['Mitfahrbank', 'Dorfladen', 'Seniorenlotsen', 'Sprachcafé'])[1 + i % 4]
                               AS title,
                           'Kurzfassung für die Kommune Nummer ' || i AS summary,
                           repeat('Ein Bericht aus der Kommune über Beteiligung und Ehrenamt. ', 5) || md5(i::text)
                               AS body
                    FROM generate_series(1, 20000) AS i
                ),
                documents AS (
                    INSERT INTO austausch.search_documents
                        (entry_kind, entry_id, municipality_id, topics, published_at, document)
                    SELECT 'practice', id, CAST(:m AS uuid), ARRAY['engagement'], now() - i * interval '1 minute',
                           austausch.search_document(title, summary, 'Bürgerschaftliches Engagement', body)
                    FROM generated
                )
                INSERT INTO austausch.search_texts (entry_kind, entry_id, title, summary, body, topic_labels)
                SELECT 'practice', id, title, summary, body, 'Bürgerschaftliches Engagement' FROM generated
                """
            ),
            {"m": str(GROSSENHAIN)},
        )
        await session.execute(text("ANALYZE austausch.search_documents"))
    for word in ("Kommune", "Sprachcafé"):
        statement, params = search_statement([word], True, SearchFilter(), None, 20, 1000)
        async with transaction(forum.sessions) as session:
            await SearchRepository(session).prepare(True, [])
            plan = "\n".join((await session.execute(text("EXPLAIN " + statement), params)).scalars())
        assert "ix_search_documents_words_topics" in plan, plan
        assert "Seq Scan on search_documents" not in plan, plan
    started = time.perf_counter()
    broad = await search(forum, q="Kommune")
    elapsed = time.perf_counter() - started
    assert broad["total_count"] == 20_000
    assert broad["ranked_limit"] == 1000
    assert len(broad["items"]) == 20
    assert elapsed < 5, elapsed
    narrow = await search(forum, q="Sprachcafé", first=5)
    assert narrow["total_count"] == 5000
    assert all("Sprachcafé" in hit["title"] for hit in narrow["items"])
