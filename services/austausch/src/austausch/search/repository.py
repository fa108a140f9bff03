"""All SQL of the search index: keeping documents and words, searching, correcting misspellings."""

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import TextClause, literal_column, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from austausch.models import SCHEMA
from austausch.vocabulary import EntryKind
from zwk_common.json_sql import iso_utc

# The labels of an entry's topics and of their parents: a search for "Pflege" finds what is
# tagged "Gesundheit und Pflege", and a search for "Wohnen" what is tagged "Leerstand".
TOPIC_LABELS = f"""
(SELECT coalesce(string_agg(t.label, ' ' ORDER BY t.key), '')
   FROM {SCHEMA}.topics t
  WHERE t.key = ANY({{topics}})
     OR t.key IN (SELECT c.parent FROM {SCHEMA}.topics c WHERE c.key = ANY({{topics}})))
"""

# An entry goes into the index as two rows: what matching, counting and ranking read and, beside
# it, the texts that a page of hits shows: a search visits the first kind only.
INDEX_ENTRIES = f"""
WITH visible AS ({{visible}}),
texts AS (
    INSERT INTO {SCHEMA}.search_texts (entry_kind, entry_id, title, summary, body, topic_labels)
    SELECT kind, id, title, summary, body, topic_labels FROM visible
)
INSERT INTO {SCHEMA}.search_documents
    (entry_kind, entry_id, municipality_id, topics, target_groups, published_at, document)
SELECT kind, id, municipality_id, topics, target_groups, published_at,
       {SCHEMA}.search_document(title, summary, topic_labels, body)
FROM visible
"""

VISIBLE_PRACTICES = f"""
SELECT 'practice'::varchar AS kind, p.id, p.municipality_id, p.title, p.summary, p.body, p.topics,
       {TOPIC_LABELS.format(topics="p.topics")} AS topic_labels, p.target_groups, p.published_at
FROM {SCHEMA}.practices p
WHERE p.id = ANY(CAST(:ids AS uuid[])) AND p.status = 'PUBLISHED' AND p.hidden_at IS NULL
"""

VISIBLE_QUESTIONS = f"""
SELECT 'question'::varchar AS kind, q.id, q.municipality_id, q.title, ''::varchar AS summary, q.body, q.topics,
       {TOPIC_LABELS.format(topics="q.topics")} AS topic_labels, '{{}}'::varchar[] AS target_groups,
       q.created_at AS published_at
FROM {SCHEMA}.questions q
WHERE q.id = ANY(CAST(:ids AS uuid[])) AND q.hidden_at IS NULL
"""

INDEX_PRACTICE = INDEX_ENTRIES.format(visible=VISIBLE_PRACTICES)
INDEX_QUESTION = INDEX_ENTRIES.format(visible=VISIBLE_QUESTIONS)

# Words as written (lower case, not stemmed), so a misspelt word can be matched to one that
# exists; ordered, so that concurrent inserts take their row locks in the same order.
KEEP_WORDS = f"""
INSERT INTO {SCHEMA}.search_words (word, trigrams)
SELECT w.lexeme, {SCHEMA}.word_trigrams(w.lexeme)
FROM {SCHEMA}.search_texts t,
     unnest(to_tsvector('simple'::regconfig, t.title || ' ' || t.summary || ' ' || t.topic_labels || ' ' || t.body)) w
WHERE t.entry_kind = :kind AND t.entry_id = ANY(CAST(:ids AS uuid[]))
  AND length(w.lexeme) BETWEEN 4 AND 64 AND w.lexeme !~ '[0-9_]'
GROUP BY w.lexeme
ORDER BY w.lexeme
ON CONFLICT (word) DO NOTHING
"""

RELABEL = f"""
WITH relabelled AS (
    UPDATE {SCHEMA}.search_texts texts
       SET topic_labels = {TOPIC_LABELS.format(topics="d.topics")}
      FROM {SCHEMA}.search_documents d
     WHERE d.entry_kind = texts.entry_kind AND d.entry_id = texts.entry_id
       AND d.topics && CAST(:keys AS varchar[])
    RETURNING texts.entry_kind, texts.entry_id, texts.title, texts.summary, texts.topic_labels, texts.body
)
UPDATE {SCHEMA}.search_documents d
   SET document = {SCHEMA}.search_document(r.title, r.summary, r.topic_labels, r.body)
  FROM relabelled r
 WHERE d.entry_kind = r.entry_kind AND d.entry_id = r.entry_id
"""

# The best-known word for each unknown query word: most shared trigrams relative to all
# (pg_trgm's similarity), among words of about the same length found through the GIN index.
CORRECTIONS = f"""
WITH typed AS (
    SELECT i.ord, (SELECT w.lexeme FROM unnest(to_tsvector('simple'::regconfig, i.typed)) w LIMIT 1) AS word
    FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS i(typed, ord)
),
unknown AS (
    SELECT typed.ord, typed.word, {SCHEMA}.word_trigrams(typed.word) AS trigrams
    FROM typed
    WHERE length(typed.word) >= 4
      AND NOT EXISTS (SELECT 1 FROM {SCHEMA}.search_words k WHERE k.word = typed.word)
)
SELECT DISTINCT ON (u.ord) u.ord, u.word AS typed, c.word, c.similarity
FROM unknown u
CROSS JOIN LATERAL (
    SELECT s.word,
           shared / (cardinality(u.trigrams) + cardinality(s.trigrams) - shared) AS similarity
    FROM {SCHEMA}.search_words s
    CROSS JOIN LATERAL (
        SELECT count(*)::float8 AS shared FROM unnest(s.trigrams) g WHERE g = ANY(u.trigrams)
    ) n
    WHERE s.trigrams && u.trigrams
      AND length(s.word) BETWEEN length(u.word) - 3 AND length(u.word) + 3
) c
WHERE c.similarity >= :threshold
ORDER BY u.ord, c.similarity DESC, c.word
"""

HEADLINE_OPTIONS = "StartSel=\ue000, StopSel=\ue001, HighlightAll=true"
SNIPPET_OPTIONS = 'StartSel=\ue000, StopSel=\ue001, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'


@dataclass(frozen=True)
class SearchFilter:
    entry_kinds: Sequence[str] = ()
    topics: Sequence[str] = ()
    target_groups: Sequence[str] = ()
    bundeslaender: Sequence[str] = ()
    municipality_kinds: Sequence[str] = ()
    population_min: int | None = None
    population_max: int | None = None


@dataclass
class SearchPage:
    total: int
    facets: dict[str, int] | None  # None: not counted
    # The page's hits in JSON, written by PostgreSQL as `SearchHit` is documented.
    items: str = "[]"
    # Sort value, kind and id of the page's last hit, when more follow.
    last: list[Any] | None = None


class SearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- keeping the index -------------------------------------------------------------

    async def refresh(self, kind: EntryKind, entry_id: UUID) -> None:
        """Make the index hold the entry as it is now, or not at all if it is not visible."""
        await self.remove(kind, entry_id)
        await self.add(kind, [entry_id])

    async def add(self, kind: EntryKind, entry_ids: Sequence[UUID]) -> None:
        """Index entries not in the index yet (those visible to everyone), several in one statement."""
        statement = INDEX_PRACTICE if kind is EntryKind.PRACTICE else INDEX_QUESTION
        result = await self.session.execute(text(statement), {"ids": list(entry_ids)})
        if result.rowcount:  # type: ignore[attr-defined]
            await self.session.execute(text(KEEP_WORDS), {"kind": kind.value, "ids": list(entry_ids)})

    async def remove(self, kind: EntryKind, entry_id: UUID) -> None:
        await self.session.execute(
            text(f"DELETE FROM {SCHEMA}.search_documents WHERE entry_kind = :kind AND entry_id = :id"),
            {"kind": kind.value, "id": entry_id},
        )

    async def relabel(self, topic_keys: Sequence[str]) -> None:
        await self.session.execute(text(RELABEL), {"keys": list(topic_keys)})

    # --- searching ---------------------------------------------------------------------

    async def prepare(self, ranked: bool, topics: Sequence[str]) -> list[str]:
        """Set this transaction up for a search; the given topics that exist, with the topics below them.

        The planner is told that broad words match most rows, and that it would then read every
        document in turn: the GIN index finds the matches without touching the documents themselves.
        """
        result = await self.session.execute(
            _statement(PREPARE_SEARCH), {"seqscan": "off" if ranked else "on", "topics": list(topics)}
        )
        return list(result.mappings().one()["topics"])

    async def search(
        self,
        words: Sequence[str],
        prefix_last: bool,
        wanted: SearchFilter,
        after: tuple[Any, str, UUID] | None,
        first: int,
        candidate_limit: int,
        facets: bool = True,
        highlight: bool = True,
    ) -> SearchPage:
        """A page of hits as they are shown, the total and the facets, in one statement (after `prepare`)."""
        statement, params = search_statement(
            words, prefix_last, wanted, after, first, candidate_limit, facets, highlight
        )
        row = (await self.session.execute(_statement(statement), params)).mappings().one()
        counted = None if row["facets"] is None else {item["topic"]: item["count"] for item in _json(row["facets"])}
        # The hits come as text: read as JSON, the driver would decode them only for the endpoint to encode them again.
        return SearchPage(total=int(row["total"]), facets=counted, items=row["items"], last=_json(row["last"]))

    async def corrections(self, words: Sequence[str], threshold: float) -> dict[int, str]:
        """Position in `words` → the known word that most resembles an unknown one."""
        result = await self.session.execute(text(CORRECTIONS), {"words": list(words), "threshold": threshold})
        return {int(row["ord"]) - 1: row["word"] for row in result.mappings()}


# Facets count matches per topic over every match, the topic filter aside. Matches are grouped by
# their set of topics first: a broad word matches tens of thousands of documents but only a few
# hundred distinct sets, and unnesting those is what is cheap. The total is read off the same groups.
# Without facets the topic filter joins the match itself, and one GIN index over words and topics
# finds the documents that have both before PostgreSQL visits a single one.
RANKED = """
WITH matched AS MATERIALIZED (
    SELECT d.ctid AS row_id, d.entry_kind, d.entry_id, d.topics, d.published_at
    FROM {schema}.search_documents d {municipality_join}
    WHERE {match} {conditions}
),
{topic_sets}
filtered AS (SELECT * FROM matched WHERE {topic_condition}),
candidates AS (
    SELECT row_id, entry_kind, entry_id FROM filtered
    ORDER BY published_at DESC, entry_kind, entry_id
    LIMIT :candidate_limit
),
ranked AS (
    -- Back to each candidate's document by its row's address, found in this same statement: one
    -- page read each rather than an index descent.
    SELECT c.entry_kind, c.entry_id, {rank} AS sort
    FROM candidates c
    JOIN {schema}.search_documents d ON d.ctid = c.row_id
),
page AS (
    SELECT * FROM ranked WHERE {after} ORDER BY sort DESC, entry_kind, entry_id LIMIT :limit
)
SELECT ({total}) AS total, ({facets}) AS facets, CAST(hits.items AS text) AS items, hits.last FROM ({hits}) hits
"""

BROWSE = """
WITH matched AS MATERIALIZED (
    SELECT d.entry_kind, d.entry_id, d.topics, d.published_at
    FROM {schema}.search_documents d {municipality_join}
    WHERE TRUE {conditions}
),
{topic_sets}
filtered AS (SELECT * FROM matched WHERE {topic_condition}),
page AS (
    SELECT entry_kind, entry_id, published_at AS sort FROM filtered WHERE {after}
    ORDER BY published_at DESC, entry_kind, entry_id LIMIT :limit
)
SELECT ({total}) AS total, ({facets}) AS facets, CAST(hits.items AS text) AS items, hits.last FROM ({hits}) hits
"""

# A timestamp as pydantic writes it (UTC, `Z`, microseconds only when there are any).
PUBLISHED_AT = str(
    iso_utc(literal_column("d.published_at")).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
)

# The page's hits as `SearchHit` documents them, read for the page only: the texts live beside the
# rows searched. The page holds one hit more than asked for, to tell whether more follow; a hit
# whose municipality the replica does not know (yet) is left out.
HITS = """
SELECT coalesce(json_agg(json_build_object(
           'kind', p.entry_kind, 'id', p.entry_id,
           'title', t.title, 'title_highlight', {title}, 'summary', t.summary, 'snippet', {snippet},
           'topics', d.topics, 'target_groups', d.target_groups,
           'municipality', json_build_object('id', m.id, 'name', m.name, 'bundesland', m.bundesland, 'kind', m.kind),
           'published_at', {published_at}, 'score', {score})
         ORDER BY p.n) FILTER (WHERE p.n <= :first AND m.id IS NOT NULL AND t.entry_id IS NOT NULL), '[]'::json
       ) AS items,
       CASE WHEN count(*) > :first
            THEN (array_agg(json_build_array(p.sort, p.entry_kind, p.entry_id)) FILTER (WHERE p.n = :first))[1]
       END AS last
FROM (SELECT page.*, row_number() OVER (ORDER BY sort DESC, entry_kind, entry_id) AS n FROM page) p
JOIN {schema}.search_documents d ON d.entry_kind = p.entry_kind AND d.entry_id = p.entry_id
LEFT JOIN {schema}.search_texts t ON t.entry_kind = p.entry_kind AND t.entry_id = p.entry_id
LEFT JOIN {schema}.municipalities m ON m.id = d.municipality_id
"""

# The topics widened as `TopicRepository.with_children` widens them, in the statement that sets the
# planner up: one round trip less per search; a test holds the two to the same answer.
PREPARE_SEARCH = f"""
SELECT set_config('enable_seqscan', CAST(:seqscan AS text), true),
       ARRAY(SELECT t.key FROM {SCHEMA}.topics t
              WHERE t.key = ANY(CAST(:topics AS varchar[])) OR t.parent = ANY(CAST(:topics AS varchar[]))
              ORDER BY t.key) AS topics
"""

TOPIC_SETS = "topic_sets AS MATERIALIZED (SELECT topics, count(*) AS n FROM matched GROUP BY topics),"
FACETS = """
SELECT coalesce(json_agg(json_build_object('topic', f.topic, 'count', f.n)), '[]'::json)
FROM (SELECT topic, sum(s.n) AS n FROM topic_sets s, unnest(s.topics) AS topic GROUP BY topic) f
"""


def search_statement(
    words: Sequence[str],
    prefix_last: bool,
    wanted: SearchFilter,
    after: tuple[Any, str, UUID] | None,
    first: int,
    candidate_limit: int,
    facets: bool = True,
    highlight: bool = True,
) -> tuple[str, dict[str, Any]]:
    """One statement for a page and what its hits show, the total and the facets: ranked if there are
    words, newest first if not; matches highlighted if wanted."""
    params: dict[str, Any] = {"first": first, "limit": first + 1}
    conditions = _filter_conditions(wanted, params)
    # Every document's municipality is known (the replica keeps them all): joined only to filter by it,
    # since hashing 11,000 municipalities costs a search more than finding its matches.
    municipality_join = (
        f"JOIN {SCHEMA}.municipalities m ON m.id = d.municipality_id" if _filters_municipalities(wanted) else ""
    )
    topic_condition = "TRUE"
    if wanted.topics:
        topic_condition = "topics && CAST(:topics AS varchar[])"
        params["topics"] = list(wanted.topics)
    if facets:
        counting = {
            "topic_sets": TOPIC_SETS,
            "topic_condition": topic_condition,
            "total": f"SELECT coalesce(sum(n), 0) FROM topic_sets WHERE {topic_condition}",
            "facets": FACETS,
        }
    else:
        if wanted.topics:
            conditions += f" AND d.{topic_condition}"
        counting = {
            "topic_sets": "",
            "topic_condition": "TRUE",
            "total": "SELECT count(*) FROM matched",
            "facets": "NULL",
        }
    if not words:
        hits = HITS.format(
            schema=SCHEMA,
            title=_html(_clean("t.title")),
            snippet=_html(_clean("left(t.summary, 300)")),
            published_at=PUBLISHED_AT,
            score="NULL",
        )
        statement = BROWSE.format(
            schema=SCHEMA,
            municipality_join=municipality_join,
            conditions=conditions,
            after=_after("published_at", "timestamptz", after, params),
            hits=hits,
            **counting,
        )
        return statement, params
    query = _tsquery(words, prefix_last, params)
    params["candidate_limit"] = candidate_limit
    if highlight:
        title = f"ts_headline('german'::regconfig, {_clean('t.title')}, {query}, '{HEADLINE_OPTIONS}')"
        text_of = _clean("t.summary || ' ' || t.body")
        snippet = f"ts_headline('german'::regconfig, {text_of}, {query}, '{SNIPPET_OPTIONS}')"
    else:
        title, snippet = _clean("t.title"), _clean("left(t.summary, 300)")
    statement = RANKED.format(
        schema=SCHEMA,
        municipality_join=municipality_join,
        match=f"d.document @@ {query}",
        conditions=conditions,
        rank=f"ts_rank(d.document, {query}, 1)::float8",
        after=_after("sort", "float8", after, params),
        hits=HITS.format(
            schema=SCHEMA,
            title=_html(title),
            snippet=_html(snippet),
            published_at=PUBLISHED_AT,
            score="round(CAST(p.sort AS numeric), 6)::float8",
        ),
        **counting,
    )
    return statement, params


def _tsquery(words: Sequence[str], prefix_last: bool, params: dict[str, Any]) -> str:
    """The words as a query, made once per search wherever it is used.

    The words are parameters. Written as an expression, a plan made once for any words (PostgreSQL's
    choice after five searches) could not turn them into a query up front and parsed them again for
    each of the 1,000 candidates it ranks; a plan made for each search, to avoid that, cost 1 to 2 ms
    of planning, most of it estimating from the words how many documents match. As a subquery, the
    query is made once, at the start, by any plan: the search keeps the plan PostgreSQL made once.
    """
    # Words reach the database only as bound values, and only as runs of letters and digits
    # (see `terms`), so no operator of the tsquery syntax can come from a caller.
    parts = []
    for i, word in enumerate(words):
        params[f"w{i}"] = word
        if prefix_last and i == len(words) - 1:
            parts.append(f"to_tsquery('german'::regconfig, CAST(:w{i} AS text) || ':*')")
        else:
            parts.append(f"plainto_tsquery('german'::regconfig, CAST(:w{i} AS text))")
    return "(SELECT " + " && ".join(parts) + ")"


def _filters_municipalities(wanted: SearchFilter) -> bool:
    return bool(
        wanted.bundeslaender
        or wanted.municipality_kinds
        or wanted.population_min is not None
        or wanted.population_max is not None
    )


def _filter_conditions(wanted: SearchFilter, params: dict[str, Any]) -> str:
    conditions = []
    if wanted.entry_kinds:
        conditions.append("d.entry_kind = ANY(CAST(:entry_kinds AS varchar[]))")
        params["entry_kinds"] = list(wanted.entry_kinds)
    if wanted.target_groups:
        conditions.append("d.target_groups && CAST(:target_groups AS varchar[])")
        params["target_groups"] = list(wanted.target_groups)
    if wanted.bundeslaender:
        conditions.append("m.bundesland = ANY(CAST(:bundeslaender AS varchar[]))")
        params["bundeslaender"] = list(wanted.bundeslaender)
    if wanted.municipality_kinds:
        conditions.append("m.kind = ANY(CAST(:municipality_kinds AS varchar[]))")
        params["municipality_kinds"] = list(wanted.municipality_kinds)
    if wanted.population_min is not None:
        conditions.append("m.population >= CAST(:population_min AS integer)")
        params["population_min"] = wanted.population_min
    if wanted.population_max is not None:
        conditions.append("m.population <= CAST(:population_max AS integer)")
        params["population_max"] = wanted.population_max
    return "".join(f" AND {c}" for c in conditions)


def _after(sort: str, cast: str, after: tuple[Any, str, UUID] | None, params: dict[str, Any]) -> str:
    if after is None:
        return "TRUE"
    params["after_sort"], params["after_kind"], params["after_id"] = after
    return (
        f"({sort} < CAST(:after_sort AS {cast}) OR ({sort} = CAST(:after_sort AS {cast}) "
        "AND (entry_kind, entry_id) > (CAST(:after_kind AS varchar), CAST(:after_id AS uuid))))"
    )


def _clean(expression: str) -> str:
    # The highlight markers are private-use characters; any in the text itself are dropped.
    return f"translate({expression}, E'\\uE000\\uE001', '')"


@functools.lru_cache(maxsize=256)
def _statement(sql: str) -> TextClause:
    # A search's statement differs only by which filters are given: the few kinds in use are
    # parsed for their parameters once, not on every search.
    return text(sql)


def _html(expression: str) -> str:
    # The text escaped as HTML (&, <, >), then the markers ts_headline put around the matches made <mark>.
    escaped = f"replace(replace(replace({expression}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    return f"replace(replace({escaped}, E'\\uE000', '<mark>'), E'\\uE001', '</mark>')"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
