"""Topic ⇄ SDG traversal over the projection: paths, explanations, coverage, centrality.

Every path is a typed walk over edges that are triples of the store (see
:mod:`esgkg.graph.projection`); nothing is inferred. The walks (``PATTERNS``):

* ``action``: topic ←esg:concernsTopic— action —esg:contributesTo→ goal. A company action
  the report lists under an SDG (section 1.4 in the bundled report) that concerns the topic.
* ``statement``: topic ←esg:topic— SDG contribution —esg:sdg→ goal. The report's
  contribution record for the pair, with its quoted evidence and sections.
* ``action-target`` / ``statement-target``: the same, ending at a UN target (13.3), which
  the UN KOS places under its goal (sdgo:hasTarget).
* ``stakeholder``: stakeholder group —esg:hasConcern→ concern —esg:concernTopic→ topic.
  Who cares about the topic; composed with the walks above it gives stakeholder → SDGs.

Documents (policies, laws), metrics, risks and targets concern topics but the data model
has no edge from them to an SDG, so they appear as the topic's context, never as an SDG path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import networkx as nx

from .named_queries import sdg_iri
from .projection import Node, Projection

OUT, IN = "out", "in"


@dataclass(frozen=True)
class Step:
    """Follow ``predicate`` (local name in the esg: namespace) forward or backward."""

    direction: str
    predicate: str
    kind: str  # the kind of node the step must arrive at


TOPIC_TO_SDG: dict[str, tuple[Step, ...]] = {
    "action": (Step(IN, "concernsTopic", "action"), Step(OUT, "contributesTo", "goal")),
    "statement": (Step(IN, "topic", "contribution"), Step(OUT, "sdg", "goal")),
    "action-target": (Step(IN, "concernsTopic", "action"), Step(OUT, "contributesTo", "sdg-target")),
    "statement-target": (Step(IN, "topic", "contribution"), Step(OUT, "sdg", "sdg-target")),
}
STAKEHOLDER_TO_TOPIC = (Step(OUT, "hasConcern", "concern"), Step(OUT, "concernTopic", "topic"))
CONTEXT_KINDS = ("document", "metric", "risk", "company-target")


@dataclass
class Path:
    """One walk: its nodes, the triples it follows, and what it means in words."""

    kind: str
    nodes: list[Node]
    triples: list[tuple[str, str, str]]
    explanation: dict[str, str] = field(default_factory=dict)

    @property
    def end(self) -> Node:
        return self.nodes[-1]

    @property
    def sections(self) -> list[str]:
        seen: list[str] = []
        for node in self.nodes[1:-1] or self.nodes:
            for s in node.sections:
                if s not in seen:
                    seen.append(s)
        return seen

    def as_json(self) -> dict:
        return {"kind": self.kind, "nodes": [n.as_json() for n in self.nodes],
                "triples": [list(t) for t in self.triples], "sections": self.sections,
                "explanation": self.explanation}


@dataclass
class GoalReach:
    """One goal reached from a topic or stakeholder group, and every path that gets there."""

    goal: Node
    paths: list[Path]
    targets: list[Node]

    def as_json(self) -> dict:
        return {"goal": self.goal.as_json(), "targets": [t.as_json() for t in self.targets],
                "paths": [p.as_json() for p in self.paths]}


@dataclass
class TopicTrace:
    topic: Node
    goals: list[GoalReach]
    stakeholders: list[Path]
    context: dict[str, list[Node]]

    def as_json(self) -> dict:
        return {"topic": self.topic.as_json(), "goals": [g.as_json() for g in self.goals],
                "stakeholders": [p.as_json() for p in self.stakeholders],
                "context": {k: [n.as_json() for n in v] for k, v in self.context.items()}}


@dataclass
class GoalTrace:
    goal: Node
    topics: list[tuple[Node, list[Path]]]

    def as_json(self) -> dict:
        return {"goal": self.goal.as_json(),
                "topics": [{"topic": t.as_json(), "paths": [p.as_json() for p in paths]}
                           for t, paths in self.topics]}


@dataclass
class StakeholderTrace:
    stakeholder: Node
    goals: list[GoalReach]

    def as_json(self) -> dict:
        return {"stakeholder": self.stakeholder.as_json(), "goals": [g.as_json() for g in self.goals]}


# -- walking -------------------------------------------------------------------------------

def walk(projection: Projection, start: str, steps: Iterable[Step]) -> list[tuple[list[str], list[tuple[str, str, str]]]]:
    """Every walk from ``start`` following ``steps``: (node IRIs, triples (s, p, o))."""
    graph, esg = projection.graph, projection.esg
    frontier: list[tuple[list[str], list[tuple[str, str, str]]]] = [([start], [])]
    for step in steps:
        nxt = []
        for nodes, triples in frontier:
            here = nodes[-1]
            if step.direction == OUT:
                edges = ((here, o) for _, o, k in graph.out_edges(here, keys=True) if k == step.predicate)
            else:
                edges = ((s, here) for s, _, k in graph.in_edges(here, keys=True) if k == step.predicate)
            for s, o in sorted(set(edges)):
                other = o if step.direction == OUT else s
                if graph.nodes[other].get("kind") == step.kind and other not in nodes:
                    nxt.append((nodes + [other], triples + [(s, esg + step.predicate, o)]))
        frontier = nxt
    return frontier


def _paths(projection: Projection, start: str, kind: str, steps: tuple[Step, ...]) -> list[Path]:
    out = []
    for nodes, triples in walk(projection, start, steps):
        path = Path(kind, [projection.nodes[n] for n in nodes], triples)
        path.explanation = explain(projection, path)
        out.append(path)
    return out


def _goal_of(projection: Projection, node: Node) -> Node | None:
    if node.kind == "goal":
        return node
    for goal, _, key in projection.graph.in_edges(node.iri, keys=True):
        if key == "hasTarget":
            return projection.nodes[goal]
    return None


def _reaches(projection: Projection, topic: Node) -> list[GoalReach]:
    by_goal: dict[str, GoalReach] = {}
    for kind, steps in TOPIC_TO_SDG.items():
        for path in _paths(projection, topic.iri, kind, steps):
            goal = _goal_of(projection, path.end)
            if goal is None:
                continue
            reach = by_goal.setdefault(goal.iri, GoalReach(goal, [], []))
            reach.paths.append(path)
            if path.end.kind == "sdg-target" and path.end not in reach.targets:
                reach.targets.append(path.end)
    return sorted(by_goal.values(), key=lambda r: int(r.goal.number))


def trace_topic(projection: Projection, topic_iri: str) -> TopicTrace:
    """Every SDG a topic reaches and how; who cares about it; what else concerns it."""
    topic = projection.nodes[topic_iri]
    stakeholders = []
    for concern, _, key in sorted(projection.graph.in_edges(topic_iri, keys=True)):
        if key != "concernTopic":
            continue
        for group, _, k2 in sorted(projection.graph.in_edges(concern, keys=True)):
            if k2 == "hasConcern" and projection.nodes[group].kind == "stakeholder":
                nodes = [projection.nodes[group], projection.nodes[concern], topic]
                triples = [(group, projection.esg + "hasConcern", concern),
                           (concern, projection.esg + "concernTopic", topic_iri)]
                path = Path("stakeholder", nodes, triples)
                path.explanation = explain(projection, path)
                stakeholders.append(path)
    context: dict[str, list[Node]] = {k: [] for k in CONTEXT_KINDS}
    for s, _, key in projection.graph.in_edges(topic_iri, keys=True):
        node = projection.nodes[s]
        if key == "concernsTopic" and node.kind in context and node not in context[node.kind]:
            context[node.kind].append(node)
    for nodes in context.values():
        nodes.sort(key=lambda n: (n.en or n.zh, n.iri))
    return TopicTrace(topic, _reaches(projection, topic), stakeholders, context)


def trace_goal(projection: Projection, goal_iri: str, report: str | None = None) -> GoalTrace:
    """Every topic behind a goal (reverse of :func:`trace_topic`), with the same paths."""
    goal = projection.nodes[goal_iri]
    topics = []
    for topic in projection.of_kind("topic", report):
        paths = [p for reach in _reaches(projection, topic) if reach.goal.iri == goal_iri for p in reach.paths]
        if paths:
            topics.append((topic, paths))
    return GoalTrace(goal, topics)


def trace_stakeholder(projection: Projection, group_iri: str) -> StakeholderTrace:
    """The SDGs a stakeholder group reaches through its concerns and their topics."""
    group = projection.nodes[group_iri]
    by_goal: dict[str, GoalReach] = {}
    for nodes, triples in walk(projection, group_iri, STAKEHOLDER_TO_TOPIC):
        head = Path("stakeholder", [projection.nodes[n] for n in nodes], triples)
        topic = head.end
        for reach in _reaches(projection, topic):
            entry = by_goal.setdefault(reach.goal.iri, GoalReach(reach.goal, [], []))
            for tail in reach.paths:
                path = Path(f"stakeholder+{tail.kind}", head.nodes + tail.nodes[1:], head.triples + tail.triples)
                path.explanation = {lang: f"{explain(projection, head)[lang]} {tail.explanation[lang]}"
                                    for lang in ("zh", "en")}
                entry.paths.append(path)
            entry.targets.extend(t for t in reach.targets if t not in entry.targets)
    return StakeholderTrace(group, sorted(by_goal.values(), key=lambda r: int(r.goal.number)))


# -- explanations --------------------------------------------------------------------------

def section_list(projection: Projection, node: Node, lang: str) -> str:
    """Section numbers as the report prints them; named sections (no number) by title."""
    names = []
    for notation in node.sections:
        if notation[:1].isdigit():
            names.append(notation)
        else:
            title = projection.section_titles.get((node.report or "", notation), {})
            names.append(title.get(lang) or notation)
    return ("、" if lang == "zh" else ", ").join(names)


def _quote(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def statement_count(record: Node) -> int:
    """How many quoted statements a contribution record holds (a statement may be curated in
    one language only, so the larger of the two counts)."""
    return max(len(record.statements.get("zh", [])), len(record.statements.get("en", [])))


def quoted(record: Node, lang: str) -> list[str]:
    """A record's statements in ``lang`` ("zh" or "en"), else in the other language: the same
    evidence whichever language a line is in."""
    other = "en" if lang == "zh" else "zh"
    return record.statements.get(lang) or record.statements.get(other) or []


def explain(projection: Projection, path: Path) -> dict[str, str]:
    """The path in one sentence per language, naming the report sections."""
    n = path.nodes
    if path.kind == "stakeholder":
        group, concern, topic = n
        secs_zh, secs_en = section_list(projection, concern, "zh"), section_list(projection, concern, "en")
        return {
            "zh": f"持份者「{group.label('zh')}」關注「{concern.label('zh')}」（{secs_zh}），即實質性議題「{topic.label('zh')}」。",
            "en": f"{group.label('en')} names “{concern.label('en')}” among its concerns ({secs_en}); "
                  f"that concern is the material topic “{topic.label('en')}”.",
        }
    topic, middle, end = n
    goal = _goal_of(projection, end) or end
    target_zh = f"（其中{end.label('zh')}）" if end.kind == "sdg-target" else ""
    target_en = f" (its target {end.number})" if end.kind == "sdg-target" else ""
    secs_zh, secs_en = section_list(projection, middle, "zh"), section_list(projection, middle, "en")
    if path.kind.startswith("action"):
        return {
            "zh": f"「{topic.label('zh')}」是公司行動「{middle.label('zh')}」（{secs_zh}）涉及的議題；"
                  f"報告把該行動列於{goal.label('zh')}{target_zh}之下。",
            "en": f"“{topic.label('en')}” is a topic of the company action “{middle.label('en')}” ({secs_en}), "
                  f"which the report lists under {goal.label('en')}{target_en}.",
        }
    count = statement_count(middle)
    if count == 1:
        # One statement: its wording in each language is the same evidence. The record's
        # sections (its actions' and its quotes') come after, never right before the quote:
        # the data does not say which section a quote is from.
        zh, en = quoted(middle, "zh")[0], quoted(middle, "en")[0]
        return {
            "zh": f"報告以陳述「{_quote(zh)}」把「{topic.label('zh')}」連到{goal.label('zh')}{target_zh}"
                  f"（該記錄出自{secs_zh}）。",
            "en": f"The report ties “{topic.label('en')}” to {goal.label('en')}{target_en} with the statement "
                  f"“{_quote(en)}” (the record draws on {secs_en}).",
        }
    if count > 1:
        # Several: the data keeps each language's quotes as a set, unpaired and without their
        # sections, so a line quoting one would pick a different one per language. Say how many;
        # the statements are listed with the path (statement_lines).
        return {
            "zh": f"報告以{count}段引述的陳述把「{topic.label('zh')}」連到{goal.label('zh')}{target_zh}"
                  f"（該記錄出自{secs_zh}）。",
            "en": f"The report ties “{topic.label('en')}” to {goal.label('en')}{target_en} with {count} quoted "
                  f"statements (the record draws on {secs_en}).",
        }
    actions = [projection.nodes[o] for _, o, k in projection.graph.out_edges(middle.iri, keys=True) if k == "evidencedBy"]
    names_zh = "、".join(f"「{a.label('zh')}」" for a in actions) or "（無）"
    names_en = ", ".join(f"“{a.label('en')}”" for a in actions) or "(none)"
    return {
        "zh": f"報告的可持續發展貢獻記錄（{secs_zh}）把「{topic.label('zh')}」連到{goal.label('zh')}{target_zh}，依據為公司行動{names_zh}。",
        "en": f"The report's SDG contribution record ({secs_en}) links “{topic.label('en')}” to "
              f"{goal.label('en')}{target_en}, evidenced by the action(s) {names_en}.",
    }


# -- naming things -------------------------------------------------------------------------

def resolve(projection: Projection, name: str, report: str | None = None,
            kinds: tuple[str, ...] = ("topic", "goal", "stakeholder")) -> list[Node]:
    """Nodes named by IRI, slug, label in either language or (goals) SDG number.

    Exact matches win; otherwise labels that contain ``name`` (case-insensitive).
    """
    text = name.strip()
    if not text:
        return []
    if text in projection.nodes and projection.nodes[text].kind in kinds:
        return [projection.nodes[text]]
    if "goal" in kinds:
        try:
            iri = sdg_iri(text)
        except ValueError:
            iri = None
        if iri and iri in projection.nodes:
            node = projection.nodes[iri]
            return [_goal_of(projection, node) or node] if node.kind == "sdg-target" else [node]
    folded = text.casefold()
    candidates = [n for n in projection.nodes.values() if n.kind in kinds
                  and (report is None or n.report in (None, report))]
    exact = [n for n in candidates if folded in (n.slug.casefold(), n.zh.casefold(), n.en.casefold())]
    if exact:
        return sorted(exact, key=lambda n: (n.kind, n.report or "", n.iri))
    return sorted((n for n in candidates if folded in n.zh.casefold() or folded in n.en.casefold()),
                  key=lambda n: (n.kind, n.report or "", n.iri))


# -- whole-graph views ---------------------------------------------------------------------

@dataclass
class CoverageMatrix:
    """Rows: topics; columns: the 17 goals; cells: evidence behind the link (0: no link)."""

    topics: list[Node]
    goals: list[Node]
    counts: list[list[int]]

    def as_json(self) -> dict:
        return {"goals": [g.as_json() for g in self.goals],
                "rows": [{"topic": t.as_json(), "counts": row} for t, row in zip(self.topics, self.counts)]}


def evidence_count(reach: GoalReach) -> int:
    """Distinct company actions plus quoted statements behind one topic → goal link."""
    actions = {p.nodes[1].iri for p in reach.paths if p.kind == "action"}
    records = {p.nodes[1].iri: p.nodes[1] for p in reach.paths if p.kind == "statement"}
    quotes = sum(max(len(r.statements.get("en", [])), len(r.statements.get("zh", []))) for r in records.values())
    return len(actions) + quotes


def coverage_matrix(projection: Projection, report: str | None = None) -> CoverageMatrix:
    """Topic × goal evidence counts (:func:`evidence_count`); all 17 goals so gaps show."""
    topics = projection.of_kind("topic", report)
    goals = projection.goals()
    index = {g.iri: i for i, g in enumerate(goals)}
    counts = []
    for topic in topics:
        row = [0] * len(goals)
        for reach in _reaches(projection, topic):
            row[index[reach.goal.iri]] = evidence_count(reach)
        counts.append(row)
    return CoverageMatrix(topics, goals, counts)


@dataclass
class TopicRank:
    topic: Node
    betweenness: float
    degree: int
    goals: int
    stakeholders: int
    evidence: int  # documents + metrics + risks + company targets that concern it

    def as_json(self) -> dict:
        return {"topic": self.topic.as_json(), "betweenness": round(self.betweenness, 4),
                "degree": self.degree, "goals": self.goals, "stakeholders": self.stakeholders,
                "evidence": self.evidence}


BRIDGE_KINDS = ("stakeholder", "concern", "topic", "action", "contribution", "goal")


def bridge_graph(projection: Projection, report: str | None = None) -> nx.Graph:
    """Undirected simple graph of stakeholders, concerns, topics, actions, records and goals."""
    keep = {iri for iri, n in projection.nodes.items()
            if n.kind in BRIDGE_KINDS and (report is None or n.report in (None, report))}
    graph = nx.Graph()
    graph.add_nodes_from(keep)
    graph.add_edges_from((s, o) for s, o in projection.graph.edges() if s in keep and o in keep)
    graph.remove_nodes_from([n for n in list(graph) if projection.nodes[n].kind == "goal" and graph.degree(n) == 0])
    return graph


def rank_topics(projection: Projection, report: str | None = None) -> list[TopicRank]:
    """Topics ranked by betweenness centrality on :func:`bridge_graph`, then degree.

    Betweenness measures how much of the stakeholder → concern → topic → action/record →
    goal network runs *through* a topic: the topics that connect what stakeholders care
    about with what the company does for the SDGs. Plain degree on the full projection
    would mostly count metrics and policies, which says how much the report writes about
    a topic, not how central it is to the stakeholder–SDG story; it is reported alongside
    (``evidence``), as is the bridge-graph degree.
    """
    graph = bridge_graph(projection, report)
    betweenness = nx.betweenness_centrality(graph, normalized=True) if len(graph) > 2 else {}
    ranks = []
    for topic in projection.of_kind("topic", report):
        trace = trace_topic(projection, topic.iri)
        ranks.append(TopicRank(
            topic, betweenness.get(topic.iri, 0.0), graph.degree(topic.iri) if topic.iri in graph else 0,
            len(trace.goals), len({p.nodes[0].iri for p in trace.stakeholders}),
            sum(len(v) for v in trace.context.values())))
    return sorted(ranks, key=lambda r: (-r.betweenness, -r.degree, r.topic.en))


def stakeholder_goal_matrix(projection: Projection, report: str | None = None) -> dict[str, list[int]]:
    """For each stakeholder group IRI, the goal numbers it reaches through its concerns."""
    return {g.iri: [int(r.goal.number) for r in trace_stakeholder(projection, g.iri).goals]
            for g in projection.of_kind("stakeholder", report)}


# -- part of the projection ----------------------------------------------------------------

def restrict(projection: Projection, named: Iterable[str]) -> Projection:
    """The projection with only the topics and goals in ``named`` (IRIs, e.g. every IRI of
    a named query's answer), so that a picture draws what the answer holds: a kind (topic,
    goal) none of whose nodes is named is kept whole; UN targets go with their goal."""
    named = set(named)
    drop: set[str] = set()
    for kind in ("topic", "goal"):
        of_kind = {iri for iri, n in projection.nodes.items() if n.kind == kind}
        if of_kind & named:
            drop |= of_kind - named
    for iri, node in projection.nodes.items():
        goal = _goal_of(projection, node) if node.kind == "sdg-target" else None
        if goal is not None and goal.iri in drop:
            drop.add(iri)
    graph = projection.graph.copy()
    graph.remove_nodes_from(drop)
    nodes = {iri: n for iri, n in projection.nodes.items() if iri not in drop}
    # The version names the data, not the part: callers caching a part key it themselves.
    return Projection(projection.version, graph, nodes, projection.section_titles, projection.esg,
                      projection.report_names)
