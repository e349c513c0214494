"""Topic ⇄ SDG traversal: answers checked against the report sources and against the store."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from esgkg.graph import traversal
from esgkg.graph.namespaces import Iris
from esgkg.graph.projection import build_projection
from esgkg.graph.sparql import StoreSparql
from esgkg.graph.store import StoreRoot
from esgkg.service.cli import main

REPORT_DIR = Path(__file__).parent.parent / "graph" / "reports" / "oneconnect-2024"
TOPIC = "https://w3id.org/esgkg/id/oneconnect-2024/topic/"


@pytest.fixture(scope="module")
def store_and_projection(bundled_store: StoreRoot):
    store, info = bundled_store.open_read_only()
    return store, build_projection(StoreSparql(store).select, info.version, str(Iris().esg))


@pytest.fixture(scope="module")
def projection(store_and_projection):
    return store_and_projection[1]


def expected_goals_from_sources() -> dict[str, set[int]]:
    """Topic id -> SDG numbers, read straight from sdg.yaml (actions and links)."""
    doc = yaml.safe_load((REPORT_DIR / "sdg.yaml").read_text(encoding="utf-8"))
    expected: dict[str, set[int]] = {}
    for action in doc["actions"]:
        for topic in action["topics"]:
            expected.setdefault(topic, set()).add(int(action["sdg"]))
    for link in doc.get("links") or []:
        expected.setdefault(link["topic"], set()).add(int(link["sdg"]))
    return expected


def test_climate_topic_reaches_sdg_13_through_the_1_4_action(projection) -> None:
    [topic] = traversal.resolve(projection, "應對氣候變化")
    trace = traversal.trace_topic(projection, topic.iri)
    goals = {int(r.goal.number): r for r in trace.goals}
    assert set(goals) == {12, 13}  # 13 via the Earth Hour action and 4.1 text; 12 via low-carbon operations
    via_action = [p for p in goals[13].paths if p.kind == "action"]
    assert [p.nodes[1].slug for p in via_action] == ["climate-governance-earth-hour"]
    assert via_action[0].nodes[1].sections == ["1.4"]
    assert "1.4" in via_action[0].explanation["en"] and "1.4" in via_action[0].explanation["zh"]
    statement = next(p for p in goals[13].paths if p.kind == "statement")
    assert {"1.4", "4.1", "4.1.4", "chairman-message"} <= set(statement.nodes[1].sections)
    assert [t.number for t in goals[13].targets] == ["13.3"]
    assert trace.context["company-target"]  # the 2030 carbon-neutrality commitment


def test_every_topic_reaches_exactly_the_goals_the_sources_state(projection) -> None:
    expected = expected_goals_from_sources()
    for topic in projection.of_kind("topic", "oneconnect-2024"):
        reached = {int(r.goal.number) for r in traversal.trace_topic(projection, topic.iri).goals}
        assert reached == expected.get(topic.slug, set()), topic.slug


def test_every_path_is_made_of_triples_in_the_store(store_and_projection) -> None:
    store, projection = store_and_projection
    triples: set[tuple[str, str, str]] = set()
    for topic in projection.of_kind("topic"):
        trace = traversal.trace_topic(projection, topic.iri)
        triples.update(t for reach in trace.goals for p in reach.paths for t in p.triples)
        triples.update(t for p in trace.stakeholders for t in p.triples)
    for group in projection.of_kind("stakeholder"):
        for reach in traversal.trace_stakeholder(projection, group.iri).goals:
            triples.update(t for p in reach.paths for t in p.triples)
    assert len(triples) > 50
    for s, p, o in sorted(triples):
        # hasTarget edges are in the reference graph; union default graph covers every graph.
        assert store.query(f"ASK {{ <{s}> <{p}> <{o}> }}", use_default_graph_as_union=True), (s, p, o)


def test_goal_trace_is_the_reverse_of_topic_traces(projection) -> None:
    for goal in projection.goals():
        behind = {t.iri for t, _ in traversal.trace_goal(projection, goal.iri).topics}
        forward = {t.iri for t in projection.of_kind("topic")
                   if any(r.goal.iri == goal.iri for r in traversal.trace_topic(projection, t.iri).goals)}
        assert behind == forward, goal.number


def test_stakeholder_groups_reach_sdgs_through_their_concerns(projection) -> None:
    doc = yaml.safe_load((REPORT_DIR / "stakeholders.yaml").read_text(encoding="utf-8"))
    concern_topic = {c["id"]: c.get("topic") for c in doc["concerns"]}
    expected_goals = expected_goals_from_sources()
    for group in doc["stakeholders"]:
        expected = set().union(*(expected_goals.get(concern_topic[c] or "", set()) for c in group["concerns"]))
        [node] = traversal.resolve(projection, group["id"], "oneconnect-2024", kinds=("stakeholder",))
        reached = {int(r.goal.number) for r in traversal.trace_stakeholder(projection, node.iri).goals}
        assert reached == expected, group["id"]


@pytest.mark.parametrize("name", ["應對氣候變化", "Addressing climate change", "climate-change", TOPIC + "climate-change",
                                  "addressing CLIMATE change"])
def test_topics_are_named_any_way(projection, name: str) -> None:
    assert [n.iri for n in traversal.resolve(projection, name)] == [TOPIC + "climate-change"]


@pytest.mark.parametrize("name", ["13", "SDG 13", "sdg13", "http://metadata.un.org/sdg/13", "氣候行動", "Climate action", "13.3"])
def test_goals_are_named_any_way(projection, name: str) -> None:
    assert [n.iri for n in traversal.resolve(projection, name)] == ["http://metadata.un.org/sdg/13"]


def test_coverage_matrix_and_ranking(projection) -> None:
    matrix = traversal.coverage_matrix(projection, "oneconnect-2024")
    assert len(matrix.topics) == 25 and [g.number for g in matrix.goals] == [str(i) for i in range(1, 18)]
    climate = next(row for t, row in zip(matrix.topics, matrix.counts) if t.slug == "climate-change")
    assert climate[12] == 4  # one action + three quoted statements (4.1, 4.1.4, chairman's message)
    assert sum(1 for row in matrix.counts for c in row if c) == 28  # one per SDG contribution record
    ranks = traversal.rank_topics(projection, "oneconnect-2024")
    assert len(ranks) == 25 and ranks[0].betweenness >= ranks[-1].betweenness
    assert all(r.betweenness == 0 for r in ranks if r.goals == 0 and r.stakeholders == 0)


def test_cli_trace(bundled_store: StoreRoot) -> None:
    runner = CliRunner()
    store = ["--store", str(bundled_store.root)]
    text = runner.invoke(main, ["trace", "應對氣候變化", *store])
    assert text.exit_code == 0, text.output
    assert "SDG 13 (Climate action)" in text.output and "可持續發展目標13「氣候行動」" in text.output
    doc = json.loads(runner.invoke(main, ["trace", "SDG 13", "--report", "oneconnect-2024", "--format", "json", *store]).output)
    assert [t["topic"]["iri"] for t in doc["topics"]] == [TOPIC + "climate-change"]
    everyone = json.loads(runner.invoke(main, ["trace", "SDG 13", "--format", "json", *store]).output)
    assert TOPIC + "climate-change" in [t["topic"]["iri"] for t in everyone["topics"]]
    ambiguous = runner.invoke(main, ["trace", "climate", *store])
    assert ambiguous.exit_code == 1 and "ambiguous" in ambiguous.output
    missing = runner.invoke(main, ["trace", "no such thing", "--report", "oneconnect-2024", *store])
    assert missing.exit_code == 1 and "nothing named" in missing.output


def test_restrict_keeps_only_the_named_topics_and_goals(store_and_projection) -> None:
    """A picture of a filtered answer draws the answer: restrict() keeps the topics and goals
    it names (targets with their goal), and a kind it names none of stays whole."""
    from esgkg.graph import named_queries, plots

    store, projection = store_and_projection
    answer = named_queries.run(named_queries.get("sdg-topics"), StoreSparql(store).select, {"sdg": "13"})
    iris = {c["value"] for row in answer.rows for c in row.values() if c.get("type") == "uri"}
    part = traversal.restrict(projection, iris)
    assert {g.number for g in part.goals()} == {"13"}
    assert {t.iri for t in part.of_kind("topic")} == set(answer.values("topic"))
    assert all(n.number.startswith("13.") for n in part.nodes.values() if n.kind == "sdg-target")
    matrix = traversal.coverage_matrix(part)
    assert matrix.topics and all(row[0] > 0 for row in matrix.counts)  # every topic drawn links to 13
    figure = plots.draw("network", part, StoreSparql(store).select)
    goal_labels = [t.get_text() for t in figure.axes[0].texts if t.get_text().startswith("SDG ")]
    assert len(goal_labels) == 1 and goal_labels[0].startswith("SDG 13 ")
    whole = plots.draw("network", projection, StoreSparql(store).select)
    assert len([t for t in whole.axes[0].texts if t.get_text().startswith("SDG ")]) > 5
    # Naming only topics keeps every goal they reach.
    one = traversal.restrict(projection, {TOPIC + "climate-change"})
    assert [t.slug for t in one.of_kind("topic")] == ["climate-change"] and len(one.goals()) == 17


def test_statement_paths_quote_the_same_evidence_in_both_languages(projection) -> None:
    """A line never quotes one statement in Chinese and another in English, and never puts a
    quote right after a section it may not come from (the data keeps a record's quotes
    without their sections)."""
    import re

    checked = 0
    for topic in projection.of_kind("topic"):
        for reach in traversal.trace_topic(projection, topic.iri).goals:
            for path in reach.paths:
                if not path.kind.startswith("statement"):
                    continue
                record, text = path.nodes[1], path.explanation
                count = traversal.statement_count(record)
                quoted_en = re.findall(r"“([^”]*)”", text["en"])
                if count == 1:
                    zh, en = traversal.quoted(record, "zh")[0], traversal.quoted(record, "en")[0]
                    assert zh[:40] in text["zh"] and en[:40] in text["en"]
                    # one record, one statement: its two wordings are one link's evidence
                    assert record.statements.get("zh", [zh]) == [zh] and record.statements.get("en", [en]) == [en]
                    checked += 1
                elif count > 1:
                    assert f"{count} quoted statements" in text["en"] and f"{count}段" in text["zh"]
                    assert not any(q in record.statements.get("en", []) for q in quoted_en)
                    checked += 1
                assert not re.search(r"(Chairman|\d)\s*:\s*“", text["en"]), text["en"]
    assert checked > 5
