"""The Chalco 2019 report (graph/reports/chalco-2019) is in the graph completely and in its own words.

Expected facts are read from the corpus text of the report (../shared/corpus/chalco-2019.txt, a
third party's extraction of the PDF), never from the curated sources, and checked against a store
built from this one report. The corpus is not part of the repository: on a clone without it the
whole module is skipped.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from esgkg.graph.build import build
from esgkg.graph.namespaces import Iris
from esgkg.graph.store import StoreRoot

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
TEXT_FILE = CORPUS / "chalco-2019.txt"
REPORT = REPO / "graph" / "reports" / "chalco-2019"

pytestmark = pytest.mark.skipif(
    not TEXT_FILE.is_file(),
    reason=f"the corpus text {TEXT_FILE} is not here (it lives beside the repository, in ../shared/corpus, "
           "and is not distributed with it)")

PREFIXES = """
PREFIX esg: <https://w3id.org/esgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
NUMBER = r"\d[\d,]*(?:\.\d+)?"


# ------------------------------------------------------------------ reading the corpus text

def text() -> str:
    return TEXT_FILE.read_text(encoding="utf-8")


def squeeze(s: str) -> str:
    """Drop all white space: the extraction breaks lines and spaces out letters at random."""
    return re.sub(r"\s+", "", s)


def unbroken(s: str) -> str:
    """The text with the extraction's line-end full stops dropped ("per." / "RMB10,000")."""
    return re.sub(r"\.[ \t]*\n", "\n", s)


def between(start: str, end: str, inclusive: bool = False) -> str:
    """The text from the first line holding `start` to the next line holding `end` (that line
    too when `inclusive`: a table's last row may share its line with the next heading)."""
    lines = text().splitlines()
    i = next(n for n, l in enumerate(lines) if start in l)
    j = next(n for n, l in enumerate(lines) if n > i and end in l)
    return "\n".join(lines[i:j + 1 if inclusive else j])


def number(cell: str) -> Decimal:
    return Decimal(cell.replace(",", ""))


# ------------------------------------------------------------------ the store

@pytest.fixture(scope="module")
def chalco_store(tmp_path_factory: pytest.TempPathFactory) -> StoreRoot:
    """A store built from this report alone, validated as `esgkg build` does (a SHACL
    violation fails the build; warnings, e.g. the report disagreeing with itself, do not)."""
    from esgkg.graph.validation import build_validator

    reports = tmp_path_factory.mktemp("chalco-reports")
    (reports / "chalco-2019").symlink_to(REPORT, target_is_directory=True)
    root = StoreRoot(tmp_path_factory.mktemp("chalco-store"))
    build(root, reports_root=reports, iris=Iris(), validate=build_validator())
    return root


@pytest.fixture(scope="module")
def q(chalco_store: StoreRoot):
    store, _ = chalco_store.open_read_only()

    def run(query: str) -> list[dict[str, str]]:
        result = store.query(PREFIXES + query, use_default_graph_as_union=True)
        return [{v.value: (s[v].value if s[v] is not None else None) for v in result.variables} for s in result]
    return run


def count(q, cls: str) -> int:
    return int(q(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")[0]["n"])


def observations(q, section: str) -> list[dict[str, str]]:
    """Values stated in one section: ?value as printed (esg:valueAsPrinted, in ?unit as printed),
    ?canonical in the canonical unit of the quantity (esg:value), ?factor between the two."""
    return q(f"""SELECT ?m ?label ?group ?year ?value ?unit ?canonical ?factor ?written WHERE {{
                 ?o esg:metric ?m ; esg:year ?year ; esg:value ?canonical ; esg:valueAsPrinted ?value ;
                    esg:unitAsPrinted ?unit ; esg:conversionFactor ?factor ; prov:wasDerivedFrom ?s .
                 OPTIONAL {{ ?o esg:asWritten ?written }}
                 ?s skos:notation "{section}" . ?m rdfs:label ?label .
                 OPTIONAL {{ ?m esg:group ?group }} }}""")


# ------------------------------------------------------------------ sections

def test_every_numbered_section_of_the_contents_is_a_section(q) -> None:
    contents = next(l for l in text().splitlines() if l.startswith("Statement from the Leadership 2 1 About"))
    subsections = set(re.findall(r"(?<![\d.])(\d\.\d) [A-Z]{2}", contents))
    # chapter numbers follow the page number of the previous entry: "… 8 2 About Chalco 10 2.1 …"
    chapters = set(re.findall(r"(?<=\d )(?<!Appendix )(\d) (?=[A-Z][a-z])", contents))
    assert len(subsections) == 34 and chapters == {str(n) for n in range(1, 10)}
    have = {r["n"] for r in q("SELECT ?n WHERE { ?s a esg:ReportSection ; skos:notation ?n }")}
    assert sorted((subsections | chapters) - have) == []
    titles = {squeeze(r["t"]).lower() for r in q("SELECT ?t WHERE { ?s a esg:ReportSection ; rdfs:label ?t }")}
    for appendix in ("Appendix 1 HKEx ESG Guide Content Index", "Appendix 2 Feedback Form", "Statement from the Leadership"):
        assert squeeze(appendix).lower() in titles


def test_subsections_hang_under_their_chapter(q) -> None:
    rows = q("""SELECT ?n ?p WHERE { ?s a esg:ReportSection ; skos:notation ?n ; <http://purl.org/dc/terms/isPartOf> ?parent .
                ?parent skos:notation ?p FILTER(REGEX(?n, "^[0-9]\\\\.[0-9]$")) }""")
    assert rows and all(r["p"] == r["n"].split(".")[0] for r in rows)


# ------------------------------------------------------------------ material topics and stakeholders

def test_material_topics_as_the_report_counts_them(q) -> None:
    stated = re.search(r"identified (\d+) material issues, of which (\d+) issues were from the environmental aspect "
                       r"and (\d+) issues were from the social aspect", squeeze_spaces(text()))
    total, environmental, social = (int(g) for g in stated.groups())
    assert (total, environmental, social) == (13, 6, 7)
    assert count(q, "esg:MaterialTopic") == total
    pillars = q("SELECT ?p (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a esg:MaterialTopic ; esg:pillar ?p } GROUP BY ?p")
    by_pillar = {r["p"].rsplit("/", 1)[-1]: int(r["n"]) for r in pillars}
    assert sum(by_pillar.values()) == total
    assert by_pillar.get("E") == environmental


def squeeze_spaces(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def test_every_topic_is_a_row_of_the_responding_sections_table(q) -> None:
    table = squeeze(between("Material issues and their respective responding sections", "4 Governance Improvement"))
    labels = [r["l"] for r in q("SELECT ?l WHERE { ?t a esg:MaterialTopic ; rdfs:label ?l }")]
    assert len(labels) == 13
    assert [l for l in labels if squeeze(l) not in table] == []


def test_stakeholder_groups_of_the_communication_table(q) -> None:
    # The 3.1 table (pages 15-17) has nine groups, from Major Shareholders to Communities.
    table = squeeze(between("Stakeholders Communication Channels Expectations and Concerns", "3.2 MATERIALITY ASSESSMENT"))
    rows = q("""SELECT ?l (COUNT(DISTINCT ?ch) AS ?channels) WHERE {
                ?s a esg:StakeholderGroup ; rdfs:label ?l ; esg:communicationChannel ?ch } GROUP BY ?l""")
    assert len(rows) == 9
    for r in rows:
        assert squeeze(r["l"]) in table and int(r["channels"]) >= 1
    for cls in ("esg:CommunicationChannel", "esg:StakeholderConcern"):
        labels = [r["l"] for r in q(f"SELECT ?l WHERE {{ ?c a {cls} ; rdfs:label ?l }}")]
        assert labels and [l for l in labels if squeeze(l) not in table] == []


# ------------------------------------------------------------------ KPI tables

def table_rows_5_6() -> list[tuple[Decimal, Decimal, Decimal]]:
    """The (2017, 2018, 2019) cells of every row of the 5.6 table (pages 53-54).

    Rows are found by their three number cells at the end of a row (labels and units run over
    line breaks, and footnote text sometimes follows on the same line); a unit such as
    "10,000t" or "10,000 t" is glued to a letter or followed by one, so it never reads as a cell.
    """
    table = between("Table: Chalco’s emissions in 2017-2019", "6 People-oriented Caring for")
    cells = re.compile(rf"(?<![\w.,/-])({NUMBER}) ({NUMBER}) ({NUMBER})(?=\.?(?:\s|$))")
    rows = [tuple(number(c) for c in m.groups()) for m in cells.finditer(table)]
    return [r for r in rows if r != (2017, 2018, 2019)]  # the repeated header row


def test_every_cell_of_the_5_6_table_is_an_observation(q) -> None:
    expected = table_rows_5_6()
    assert len(expected) == 28
    by_metric: dict[str, dict[int, Decimal]] = {}
    for r in observations(q, "5.6"):
        if r["written"] and r["written"].endswith("tons"):
            continue  # footnote 6's 8,588 tons, not a table cell
        by_metric.setdefault(r["m"], {})[int(r["year"])] = Decimal(r["value"])
    have = {(v.get(2017), v.get(2018), v.get(2019)) for v in by_metric.values()}
    assert [row for row in expected if row not in have] == []
    assert len(by_metric) == len(expected)


def test_5_6_labels_and_written_cells_are_as_printed(q) -> None:
    table = between("Table: Chalco’s emissions in 2017-2019", "6 People-oriented Caring for")
    flat = squeeze(unbroken(table))
    rows = observations(q, "5.6")
    assert [r["label"] for r in rows if squeeze(r["label"]) not in flat] == []
    assert [r["written"] for r in rows if squeeze(r["written"]) not in flat] == []
    assert [r["unit"] for r in rows if squeeze(r["unit"]) not in flat] == []
    # 2019 general industrial solid waste is printed without a thousands separator.
    assert any(r["written"] == "3945.30" for r in rows)


def test_5_6_values_are_converted_by_the_scale_they_are_printed_in(q) -> None:
    """The canonical value is the printed one times the scale of the printed unit: "10,000 t" and
    "100 million kWh" scale up, "per RMB10,000" scales down (values per yuan)."""
    rows = observations(q, "5.6")
    assert rows
    for r in rows:
        unit = r["unit"]
        scale = Decimal(1)
        if re.match(r"^10,000 ?t", unit) or unit == "RMB10,000":
            scale = Decimal(10000)
        elif unit.startswith("100 million"):
            scale = Decimal(100000000)
        if unit.endswith("/RMB10,000"):
            scale = Decimal(1) / Decimal(10000)
        assert Decimal(r["factor"]) == scale, (r["label"], unit)
        assert Decimal(r["canonical"]) == Decimal(r["value"]) * scale, (r["label"], unit)


def test_employment_table_values(q) -> None:
    table = squeeze_spaces(between("Table: Chalco’s Employment in the year of 2019", "6.2 OPTIMIZING TALENT", inclusive=True))
    serving, turnover = table.split("Number of total turnover employees")
    row = re.compile(r"(Reporting Period|Male|Female|<24|25 (?:–|to) 29|\d\d – \d\d|>55|Senior management|"
                     rf"Department supervisor|Other office employee|General and technical worker) ({NUMBER})(?=[\s.]|$)")
    expected = set()
    for part, head in ((serving, "serving"), (turnover, "turnover")):
        for m in row.finditer(part):
            label = m[1] if m[1] != "Reporting Period" else "total"
            expected.add((head, label, number(m[2])))
    assert len(expected) == 2 * 15
    have = set()
    for r in observations(q, "employment-table"):
        head = "serving" if "serving" in (r["group"] or "") + r["label"] else "turnover"
        label = "total" if r["label"].startswith("Number of total") else r["label"]
        have.add((head, label, Decimal(r["value"])))
    assert sorted(expected - have) == []


def test_training_table_values(q) -> None:
    table = squeeze_spaces(between("Table: 2019 Chalco Serving Employees’ Training Performance", "Pictures of employee training"))
    rows = re.findall(r"(Senior management|Department supervisor|Other office employee|General and technical worker|Male|Female) "
                      rf"({NUMBER}) (\d+)% (\d+)", table)
    assert len(rows) == 6
    have = {(r["label"], (r["group"] or "").rsplit(" / ", 1)[-1], Decimal(r["value"])) for r in observations(q, "training-table")}
    for label, trained, share, hours in rows:
        assert (label, "Number of employees being trained", number(trained)) in have
        assert (label, "Percentage of trained employees", Decimal(share)) in have
        assert (label, "Average trained hours", Decimal(hours)) in have


def test_energy_targets_and_performance(q) -> None:
    table = between("Table: Chalco’s 2019 Annual Energy Consumption Targets and Performance", "Well blending coal")
    rows = [re.match(rf"^(.*?) ({NUMBER}) ({NUMBER})\.?$", l.strip()) for l in table.splitlines()[2:]]
    rows = [m for m in rows if m]
    assert len(rows) == 5
    targets = q("""SELECT ?l ?value ?actual ?year ?unit ?factor WHERE { ?t a esg:Target ; rdfs:label ?l ; esg:targetValue ?value ;
                   esg:actualValue ?actual ; esg:targetYear ?year ; esg:unitAsPrinted ?unit ; esg:conversionFactor ?factor }""")
    for m in rows:
        match = [t for t in targets if m[1].startswith(t["l"] + " ")]
        assert len(match) == 1, m[1]
        t = match[0]
        factor = Decimal(t["factor"])  # target values are stored in the canonical unit
        assert m[1] == f"{t['l']} {t['unit']}"  # the row is label, unit as printed
        assert (Decimal(t["value"]), Decimal(t["actual"]), t["year"]) == (number(m[2]) * factor, number(m[3]) * factor, "2019")
    performance = {Decimal(r["value"]) for r in observations(q, "energy-targets-table")}
    assert {number(m[3]) for m in rows} <= performance


# ------------------------------------------------------------------ body figures and contradictions

def test_body_figures_are_kept_with_their_section(q) -> None:
    rows = q("""SELECT ?written ?sec WHERE { ?o a esg:Observation ; esg:asWritten ?written ; prov:wasDerivedFrom ?s .
                ?s skos:notation ?sec }""")
    have = {(r["sec"], r["written"]) for r in rows}
    body = squeeze_spaces(text())
    for sec, figure in (("5.5", "3.001 billion tons"), ("5.5", "96.57%"), ("5.1", "19,007 tons"), ("5.3", "1,605.8MW"),
                        ("7.3", "476 were from overseas"), ("4.3", "190.074 billion yuan"), ("8.1", "14,400,000 yuan"),
                        ("5.4", "86%"), ("7.4", "248 patent applications")):
        assert figure in body, figure
        assert (sec, figure) in have, (sec, figure)


def test_contradictions_are_kept_side_by_side(q) -> None:
    # 6.1 says 52,694 employees; the employment table in the same section says 65,507.
    body = squeeze_spaces(text())
    assert "a total of 52,694 employees" in body and "End of the Reporting Period 65,507".lower() in body.lower()
    rows = q("""SELECT ?value ?sec WHERE { ?o esg:metric ?m ; esg:year ?y ; esg:value ?value ; prov:wasDerivedFrom ?s .
                ?s skos:notation ?sec . ?m rdfs:label "Number of total serving employees at the end of the Reporting Period"@en }""")
    assert {(r["sec"], Decimal(r["value"])) for r in rows} == {("6.1", 52694), ("employment-table", 65507)}
    # 5.6: wastewater circulated 29.98 but circulating water consumption 28.98 (100 million t) in 2019.
    values = {Decimal(r["value"]) for r in observations(q, "5.6") if r["year"] == "2019"}
    assert {Decimal("29.98"), Decimal("28.98")} <= values


def test_validation_reports_where_the_report_disagrees_with_itself(chalco_store: StoreRoot) -> None:
    from esgkg.graph.validation import validate_store

    store, _ = chalco_store.open_read_only()
    outcome = validate_store(store, "chalco-2019")
    assert outcome.conforms
    found = {(r.source_shape.rsplit("#", 1)[-1], r.focus_node.rsplit("/", 1)[-1], r.year) for r in outcome.records}
    # 6.1 text 52,694 employees against the table's 65,507.
    assert ("SameQuantityShape", "employees-total", "2019") in found
    # 8.1: the chart's four recipients sum to 25,553,800 yuan, the text says 25,555,800.
    assert ("PartsSumShape", "donations-total", "2019") in found
    # 5.6: energy printed in "tce" but its per-RMB10,000 intensity only fits 10,000 tce.
    assert {("IntensityShape", "energy-intensity", y) for y in ("2017", "2018", "2019")} <= found
    # 5.6: 2017 CO2e intensity printed 7.47 where 6,862.3 x 10,000 t / 9,206,729.2 RMB10,000 is 7.45.
    assert ("IntensityShape", "ghg-intensity", "2017") in found


# ------------------------------------------------------------------ HKEx index

def test_hkex_index_rows_are_all_present(q) -> None:
    index = squeeze_spaces(between("Appendix 1 HKEx ESG Guide Content Index.", "Appendix 2 Feedback Form."))
    kpis = set(re.findall(r"KPI ([AB]\d\.\d)", index))
    aspects = {f"{a}.GD" for a in re.findall(r"Aspect ([AB]\d):", index)}
    assert len(aspects) == 11 and len(kpis) == 30
    rows = q("""SELECT ?code ?scheme ?where WHERE { ?d a esg:DisclosureIndexEntry ; esg:provision ?p ; esg:answeredIn ?a .
                ?a skos:notation ?where . ?p skos:notation ?code ; skos:inScheme ?scheme }""")
    have = {(r["scheme"].rsplit("/", 1)[-1], r["code"]) for r in rows}
    assert sorted(c for c in kpis | aspects if ("hkex-esg-code", c) not in have) == []
    assert count(q, "esg:DisclosureIndexEntry") == len(kpis | aspects)
    # Every location the index names is a section number printed in the index.
    printed = set(re.findall(r"(?<![\d.])(\d\.\d) [A-Z]", index))
    assert {r["where"] for r in rows} <= printed


# ------------------------------------------------------------------ documents

# Quoted names (“…”) that are not documents the company has or follows.
NOT_DOCUMENTS = {
    # slogans, philosophies and campaign names
    "striving for excellence, innovation and strength", "Remain true to our original aspiration and keep our mission firmly in mind",
    "low cost, high quality, excellent mechanism and good returns", "low cost, high quality, excellent mechanism, and good returns",
    "three reductions and three increases", "three years to reduce costs", "Belt and Road", "two seas", "Three Boards and One Layer",
    "zero tolerance", "good family practices, good family training",
    "Do what you can, and forever maintain the true nature of Communist Party members", "Pride in integrity, shame on corruption",
    "one prompt in one month, one supervision in one quarter", "point stone into gold for the benefit of mankind",
    "good aluminum and Chinalco", "products in compliance with national standard requirements", "2 + 26", "Fenwei Plain",
    "responsible mining", "green mines", "talent is the primary resource", "talent is the first resource",
    "all risks can be controlled and all accidents can be prevented", "market-oriented", "focused on efficiency",
    "high quality and favorable price", "grabbing time, avoiding peaks and valleys, and adopting regional strategies",
    "exchanging prices for volume and strengthening negotiations",
    "ideal beliefs, professionalism, execution, leadership, new knowledge and skills", "Comply or explain",
    # the three supplier-management methods of 7.3 (the responses of a risk)
    "Manage suppliers’ environmental and social impacts", "Develop strict supplier access rules", "Perfect supplier assessment",
    # defined terms and short names (1.6), stakeholder and survey words (3.2)
    "Chalco", "Company", "Group", "Reporting Period", "Year", "ESG Guide", "GRI", "RMB", "China", "CPC", "Party", "SASAC",
    "Federal Reserve", "SEHK", "CSRC", "Chinalco", "Guangxi Branch", "Guizhou Branch", "Qinghai Branch", "Chalco Shandong",
    "Zhongzhou Aluminum", "Baotou Aluminum", "Shanxi New Material", "Chalco Mining", "Shanxi Huaxing", "Zhengzhou Research Institute",
    "Xinghua Technology", "Shanxi Zhongrun", "Guangxi Hualei", "Qinghai Aluminum Electricity", "Chalco Logistics", "Guizhou Huaren",
    "Inner Mongolia Huayun", "Shandong Huayu", "Shanxi Huasheng", "Chalco Materials", "Committee",
    "Importance to Stakeholders", "Importance to Chalco", "importance to stakeholders", "importance to Chalco",
    "Major Shareholders", "Board of Directors", "Board of Supervisors", "Management", "Employees", "Government and Regulators",
    "Customers", "Peer companies", "Business Partner", "Contractors", "Suppliers", "Communities", "NGOs", "Media",
    # awards and ratings (2.3), events, courses and cases (no place in the model: see the curation notes)
    "Best Corporate Governance Listed Company", "Golden Wing Award", "HK Top 100 Comprehensive Strength listed Companies",
    "China Top 100 Enterprises Award", "BBB +", "Director’s Newsletter", "Anti-corruption and Integrity Education Month",
    "Anti-Corruption and Integrity Education Month", "High-quality Development Seminar and Quality Storytelling Contest",
    "quality lessons", "quality certificates", "Safety Emergency Law Popularization Knowledge Contest", "Safety Month",
    "Safe Production Month", "Five-level Technician", "Star Talent", "Mid-Autumn Festival", "1 # south bicycle shed",
    "the front-gate parking lot", "3 # parking lot", "Environmental Protection Open Day",
    # technologies and bodies
    "FHEST technology", "Flow Heat Energy Saving Technology", "First technology",
    "slot control machine-host computer system-network monitoring system", "carbon-free slagfree demonstration zone",
    "carbon-free slag", "Leading Group for the Construction of the Supervision System",
}


def test_every_named_document_is_in_the_graph(q) -> None:
    # A leading "the" belongs to the sentence, not to the title.
    names = {squeeze(re.sub(r"^the ", "", n)) for n in re.findall(r"[“\"]([^”\"]{3,200})[”\"]", text())}
    names -= {squeeze(re.sub(r"^the ", "", n)) for n in NOT_DOCUMENTS}
    assert len(names) > 80
    labels = [squeeze(r["l"]) for r in q("""SELECT ?l WHERE { ?d a esg:Document .
              { ?d rdfs:label ?l } UNION { ?d skos:altLabel ?l } UNION { ?d skos:editorialNote ?l } }""")]
    joined = "".join(labels)
    assert sorted(n for n in names if n not in joined) == []


def test_certifications_and_laws(q) -> None:
    rows = q("SELECT ?l WHERE { ?d a esg:Certification ; rdfs:label ?l }")
    certs = " ".join(r["l"] for r in rows)
    for standard in ("ISO9001", "ISO14001", "OHSAS18001"):
        assert standard in text() and standard in certs
    # Every quoted title that is a law (… Law …, but not the "Safety Emergency Law Popularization
    # Knowledge Contest") is the label or other wording of a law.
    titles = {squeeze(re.sub(r"^the ", "", n)) for n in re.findall(r"[“\"]([^”\"]*\bLaw\b[^”\"]*)[”\"]", text())
              if "Contest" not in n}
    assert len(titles) >= 25
    laws = {squeeze(r["l"]) for r in q("""SELECT ?l WHERE { ?d a esg:Law . { ?d rdfs:label ?l } UNION { ?d skos:altLabel ?l } }""")}
    assert sorted(titles - laws) == []


# ------------------------------------------------------------------ labels and provenance

@pytest.mark.parametrize("cls", ["esg:MaterialTopic", "esg:StakeholderGroup", "esg:StakeholderConcern",
                                 "esg:CommunicationChannel", "esg:Document", "esg:GovernanceBody",
                                 "esg:RiskOrOpportunity", "esg:ReportSection", "esg:Metric"])
def test_labels_are_the_reports_own_words(q, cls: str) -> None:
    report = squeeze(unbroken(text()))
    rows = q(f"SELECT ?x ?l WHERE {{ ?x a {cls} ; rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en')) }}")
    assert rows
    assert [r["l"] for r in rows if squeeze(r["l"]) not in report] == []


def test_every_entity_and_value_has_a_section(q) -> None:
    rows = q("""SELECT ?x WHERE { ?x esg:report ?r FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?s }
                FILTER NOT EXISTS { ?x a esg:ReportSection } FILTER NOT EXISTS { ?x a skos:ConceptScheme }
                FILTER NOT EXISTS { ?x a <http://purl.org/linked-data/cube#DataSet> } }""")
    assert rows == []


def test_report_metadata(q) -> None:
    assert "This is our 12th report." in text()
    rows = q("""SELECT ?edition ?start ?end ?id WHERE { ?r a esg:Report ; esg:edition ?edition ; esg:periodStart ?start ;
                esg:periodEnd ?end ; esg:aboutOrganisation ?o . ?o <http://www.w3.org/ns/org#identifier> ?id }""")
    assert {r["edition"] for r in rows} == {"12"}
    assert {(r["start"], r["end"]) for r in rows} == {("2019-01-01", "2019-12-31")}
    cover = text().splitlines()[0]
    assert {"hkex:2600", "nyse:ACH", "sse:601600"} == {r["id"] for r in rows}
    assert "2600 (HKSE)" in cover and "ACH (US)" in cover and "601600 (China)" in cover
