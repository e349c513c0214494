"""The Baidu 2021 ESG report (graph/reports/baidu-2021) is in the graph completely and in its
own words.

Expected facts are read from the corpus text of the report (../shared/corpus/baidu-2021.txt,
a third party's extraction of the PDF), never from the curated sources, and checked against a
store built from this one report. The corpus is not part of the repository: on a clone
without ../shared the whole module is skipped.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from esgkg.graph.build import build
from esgkg.graph.namespaces import Iris
from esgkg.graph.store import StoreRoot
from esgkg.graph.validation import build_validator

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "baidu-2021.txt"
REPORT = REPO / "graph" / "reports" / "baidu-2021"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_file(),
    reason=f"the Baidu 2021 report text is not here ({CORPUS}); it lives in the shared corpus, outside the repository")

PREFIXES = """
PREFIX esg: <https://w3id.org/esgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
NUMBER = r"[\d,]+(?:\.\d+)?"


# ---------------------------------------------------------------------------- the text
def text() -> str:
    return CORPUS.read_text(encoding="utf-8")


def lines() -> list[str]:
    return text().splitlines()


def without_footnote_links(s: str) -> str:
    """The text with two extraction artefacts undone: inline footnote links ("2 https://...")
    that the extraction puts inside sentences ("a Remuneration 2 https://... Committee"),
    and the ". " it appends to a line that breaks mid-sentence ("Other Governance. / Measures.")."""
    s = re.sub(r"\s\d{1,2} https?://\S+", " ", s)
    return re.sub(r"\. \n", " ", s)


def squeeze(s: str) -> str:
    """Drop white space and case: the extraction breaks lines and words at random."""
    return re.sub(r"\s+", "", s).casefold()


def page(header: str) -> list[str]:
    """The lines of one page, from its running header (e.g. "Promoting Green Ideas — 04") to
    the next page's "Baidu 2021 Environmental, Social and Governance Report." line."""
    ls = lines()
    start = next(i for i, l in enumerate(ls) if header in l)
    end = next((i for i in range(start + 1, len(ls))
                if ls[i].startswith("Baidu 2021 Environmental, Social and Governance Report.") and i > start + 1
                and re.search(r"— ?\d\d", ls[i + 1] if i + 1 < len(ls) else "")), len(ls))
    return ls[start:end]


def between(start: str, end: str) -> list[str]:
    ls = lines()
    a = next(i for i, l in enumerate(ls) if start in l)
    b = next(i for i in range(a + 1, len(ls)) if end in ls[i])
    return ls[a:b]


def number(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


# ---------------------------------------------------------------------------- the graph
@pytest.fixture(scope="module")
def q(tmp_path_factory: pytest.TempPathFactory):
    reports = tmp_path_factory.mktemp("baidu-reports")
    (reports / "baidu-2021").symlink_to(REPORT, target_is_directory=True)
    root = StoreRoot(tmp_path_factory.mktemp("baidu-store"))
    build(root, reports_root=reports, iris=Iris(), validate=build_validator())  # as `esgkg build` does
    store, _ = root.open_read_only()

    def run(query: str) -> list[dict[str, str]]:
        result = store.query(PREFIXES + query, use_default_graph_as_union=True)
        return [{v.value: (s[v].value if s[v] is not None else None) for v in result.variables} for s in result]
    return run


def labels_of(q, cls: str) -> set[str]:
    return {r["l"] for r in q(f"SELECT ?l WHERE {{ ?x a {cls} ; rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en')) }}")}


def printed_values(q, section: str) -> set[tuple[str, int, Decimal]]:
    """(squeezed label or alt label, year, value as printed) of the observations of one section."""
    rows = q(f"""SELECT ?label ?year ?v WHERE {{
                ?o esg:metric ?m ; esg:year ?year ; esg:valueAsPrinted ?v ; prov:wasDerivedFrom ?s .
                ?s skos:notation "{section}" .
                {{ ?m rdfs:label ?label }} UNION {{ ?m skos:altLabel ?label }} }}""")
    return {(squeeze(r["label"]), int(r["year"]), Decimal(r["v"])) for r in rows}


# ---------------------------------------------------------------------------- sections
def test_every_chapter_and_named_part_is_a_section(q) -> None:
    # The report has no section numbers: it is paginated per chapter, and every chapter cover
    # lists its named parts ("Our Performance · Cybersecurity · Data Security.").
    titles = {squeeze(t) for t in labels_of(q, "esg:ReportSection")}
    covers = [l for l in lines() if l.startswith("Our Performance ·")]
    assert len(covers) == 6
    parts = [p.strip(" .") for l in covers for p in l.split("·")[1:]]
    assert len(parts) == 14
    # The six chapters, as the reader feedback form lists them.
    chapters = re.search(r"needs improvement\? (.*?) 9\.", text())[1].split("□")
    chapters = [c.strip() for c in chapters if c.strip()]
    assert len(chapters) == 6
    front = ["About This Report", "Company Statement", "About Baidu", "Major ESG Honors", "Key ESG Performance",
             "Communicating with Stakeholders", "Materiality Assessment", "Our Priorities", "Overview"]
    appendix = ["Appendix", "HKEX ESG Index", "GRI Standard Index", "SASB Standard", "Carbon Emission Accounting Methods",
                "Independent Statement of Assurance", "SDGs Contributions", "Reader Feedback Form"]
    for name in front + appendix:
        assert name in text(), name
    missing = [n for n in parts + chapters + appendix + front if not any(squeeze(n) in t for t in titles)]
    assert missing == []


def test_every_case_is_a_section(q) -> None:
    ls = lines()
    cases = []
    for i, l in enumerate(ls):
        if "「Case」" not in l:
            continue
        after = l.split("「Case」", 1)[1].strip()
        title = after or ls[i + 1].strip()
        if title.startswith("Baidu 2021 Environmental"):   # the case title is printed before the mark
            title = ls[i - 1].strip()
        cases.append(re.sub(r"( \d)?\.?$", "", title))
    titles = {squeeze(t) for t in labels_of(q, "esg:ReportSection")}
    assert len(cases) == 29 and len(set(cases)) == 28  # one case spans two pages and is marked twice
    assert [c for c in sorted(set(cases)) if squeeze(c) not in titles] == []


# ---------------------------------------------------------------------------- topics, stakeholders
MATERIAL = re.compile(r"(\d{1,2}) (.+?) (Economic|Environmental|Social)")


def material_issues() -> list[tuple[int, str, str]]:
    block = " ".join(between("Importance Issue Category.", "Baidu's 2021 Material ESG Issue Matrix."))
    block = re.sub(r"\b(High|Medium|Low) ", " ", block.replace("Importance Issue Category.", ""))
    return [(int(n), name.strip(), cat) for n, name, cat in MATERIAL.findall(block)]


def test_the_17_material_issues_in_their_order_and_category(q) -> None:
    issues = material_issues()
    assert [n for n, _, _ in issues] == list(range(1, 18))
    rows = q("""SELECT ?l ?order ?pillar WHERE { ?t a esg:MaterialTopic ; rdfs:label ?l ; esg:matrixOrder ?order ;
                esg:pillar ?p . BIND(REPLACE(STR(?p), "^.*/", "") AS ?pillar) }""")
    have = {(int(r["order"]), r["l"]): r["pillar"] for r in rows}
    assert len(have) == 17
    pillar = {"Economic": "g", "Environmental": "e", "Social": "s"}  # Economic -> G is the curators' mapping
    for n, name, cat in issues:
        assert (n, name) in have, name
        assert have[(n, name)].lower().endswith(pillar[cat]), (name, have[(n, name)])


def test_nine_stakeholder_groups_with_channels(q) -> None:
    table = squeeze(" ".join(between("Stakeholders Means of communication Expectations and demands.",
                                     "Stakeholders’ suggestions are key to Baidu.")))
    rows = q("""SELECT ?l (COUNT(DISTINCT ?ch) AS ?channels) WHERE {
                ?s a esg:StakeholderGroup ; rdfs:label ?l ; esg:communicationChannel ?ch } GROUP BY ?l""")
    assert len(rows) == 9
    for r in rows:
        assert squeeze(r["l"]) in table
        assert int(r["channels"]) >= 3
    for cls in ("esg:CommunicationChannel", "esg:StakeholderConcern"):
        assert [l for l in labels_of(q, cls) if squeeze(l) not in table] == []


# ---------------------------------------------------------------------------- KPI tables
ENV_ROW = re.compile(rf"^(?P<label>[A-Za-z][A-Za-z0-9 ]*?)(?: \d)? (?P<unit>t|kg|kWh|GJ|10,000 m 3|tCO2e|tCO2e / person|kg/person|t/person) "
                     rf"(?P<y2020>{NUMBER}) (?P<y2021>{NUMBER})\.?\s*$")


def test_environmental_tables_every_value_of_both_years(q) -> None:
    # Promoting Green Ideas 04: energy, GHG, waste and water tables, columns 2020 Data / 2021 Data.
    rows = [m for l in page("Our Performance Promoting Green Ideas — 04.") if (m := ENV_ROW.match(l.strip()))]
    assert len(rows) == 18
    have = printed_values(q, "green-operations")
    missing = []
    for m in rows:
        for year in (2020, 2021):
            if (squeeze(m["label"]), year, number(m[f"y{year}"])) not in have:
                missing.append((m["label"], year, m[f"y{year}"]))
    assert missing == []


def test_office_waste_table(q) -> None:
    block = between("Office waste category Unit 2021 Data.", "Our Performance Promoting Green Ideas — 09.")
    rows = [re.match(rf"^(.+?) (kg|t|piece|set) ({NUMBER})\.?$", l.strip()) for l in block[1:]]
    rows = [m for m in rows if m]
    assert len(rows) == 10
    have = printed_values(q, "greening-our-offices")
    assert [m[1] for m in rows if (squeeze(m[1]), 2021, number(m[3])) not in have] == []


PERSON_OR_PERCENT = re.compile(rf"((?:[A-Z0-9][\w,/’ -]*?)) (?:Person|%) ({NUMBER})")


def test_employee_tables_every_value(q) -> None:
    # Nurturing Talents 02 (composition, turnover) and 03 (diversity): 2021 only; several rows
    # are flattened onto one line ("... 30 years of age and under Person 20,080 31 to 40 ...").
    have = printed_values(q, "employee-composition") | printed_values(q, "diversity-and-inclusion")
    found = []
    for header in ("Baidu's Employee Composition.", "Baidu's Employee Diversity Indicators."):
        block = between(header, "Baidu 2021 Environmental, Social and Governance Report.")
        for l in block[2:]:
            l = re.sub(r"^(Number of employees by (age|gender|rank)|Turnover rate by (age|region|employment type))\.? ?", "", l.strip())
            l = re.sub(r" \d+ https?://\S+$", "", l)  # a trailing footnote link
            found += PERSON_OR_PERCENT.findall(l.replace("Total number of employees /", "Total number of employees"))
    assert len(found) == 33
    missing = [(label, v) for label, v in found if (squeeze(label), 2021, number(v)) not in have]
    assert missing == []


def test_training_percentages_are_all_100_and_hours_are_left_out(q) -> None:
    # The flattened charts of Nurturing Talents 05 print five percentages (all 100%) and five
    # hour values whose categories cannot be told apart: only the percentages are curated.
    cells = re.search(r"Junior employees ([\dh.% ]+)\.", text())[1].split()
    assert sorted(c for c in cells if c.endswith("%")) == ["100%"] * 5
    assert len([c for c in cells if c.endswith("h")]) == 5
    rows = q("""SELECT ?v WHERE { ?o esg:metric ?m ; esg:valueAsPrinted ?v ; prov:wasDerivedFrom ?s .
                ?s skos:notation "talent-cultivation" . ?m rdfs:label ?l
                FILTER(STR(?l) IN ("Male employees", "Female employees", "Senior managers", "Middle managers", "Junior employees")) }""")
    assert sorted(Decimal(r["v"]) for r in rows) == [Decimal(100)] * 5
    hours = {Decimal(c[:-1]) for c in cells if c.endswith("h")}
    assert not {Decimal(r["v"]) for r in q("SELECT ?v WHERE { ?o esg:valueAsPrinted ?v }")} & hours


def test_suppliers_by_location(q) -> None:
    found = re.findall(rf"^(The PRC \(including Hong Kong, Macao, and Taiwan\)|Overseas) ({NUMBER})\.?\s*$",
                       text(), flags=re.M)
    assert len(found) == 2
    have = printed_values(q, "managing-the-value-chain")
    assert all((squeeze(label), 2021, number(v)) in have for label, v in found)


def test_scope_values_add_up_as_printed(q) -> None:
    rows = {m["label"].strip(): m for l in page("Our Performance Promoting Green Ideas — 04.") if (m := ENV_ROW.match(l.strip()))}
    for year in ("y2020", "y2021"):
        assert sum(number(rows[s][year]) for s in ("Scope 1", "Scope 2", "Scope 3")) == number(rows["Total"][year])
    total = q("""SELECT ?v WHERE { ?o esg:metric ?m ; esg:year ?y ; esg:valueAsPrinted ?v . ?m rdfs:label "Total"@en
                 FILTER(STR(?y) = "2021") }""")
    assert [Decimal(r["v"]) for r in total] == [number(rows["Total"]["y2021"])]


def test_contradictions_are_kept_side_by_side(q) -> None:
    # Key ESG Performance presents 220,000 personal-information protections as an annual
    # figure; Improving Services 02 says 220,000 times a day.
    assert "protected citizens’ personal information from malicious disclosures 220,000 times." in text()
    assert "220,000 times a day" in text()
    rows = q("""SELECT ?sec ?unit WHERE { ?o esg:valueAsPrinted ?v ; esg:unitAsPrinted ?unit ; prov:wasDerivedFrom ?s .
                ?s skos:notation ?sec FILTER(?v = 220000) }""")
    assert {(r["sec"], r["unit"]) for r in rows} == {("key-esg-performance", "times"), ("content-management", "times a day")}
    # Waste intensities are printed in kg/person though they are tonnes per person: kept as printed.
    rows = q("""SELECT ?v ?unit WHERE { ?o esg:metric ?m ; esg:valueAsPrinted ?v ; esg:unitAsPrinted ?unit .
                ?m rdfs:label "Nonhazardous waste intensity"@en }""")
    assert {(Decimal(r["v"]), r["unit"]) for r in rows} == {(Decimal("0.1"), "kg/person"), (Decimal("0.2"), "kg/person")}


def test_body_figures_keep_their_sections(q) -> None:
    for figure, section in [("RMB 198.045 million", "philanthropy"), ("RMB 198.045 million", "key-esg-performance"),
                            ("36,413 regular employees", "talent-protection"), ("87.2%", "security-certification"),
                            ("seven meetings", "corporate-governance"), ("1.16", "greening-our-data-centers")]:
        assert figure in text()
        rows = q(f"""SELECT ?w WHERE {{ ?o esg:asWritten ?w ; prov:wasDerivedFrom ?s . ?s skos:notation "{section}" }}""")
        assert any(figure in r["w"] for r in rows), (figure, section)


# ---------------------------------------------------------------------------- indexes
def index_entries(q, scheme: str) -> list[tuple[str, str]]:
    rows = q("""SELECT ?code ?scheme ?status WHERE { ?d a esg:DisclosureIndexEntry ; esg:provision ?p ; esg:status ?st .
                ?p skos:notation ?code ; skos:inScheme ?scheme . BIND(REPLACE(STR(?st), "^.*/", "") AS ?status) }""")
    return [(r["code"], r["status"]) for r in rows if r["scheme"].rsplit("/", 1)[-1] == scheme]


def test_hkex_index_every_row(q) -> None:
    block = " ".join(between("HKEX ESG Index.", "GRI Standard Index."))
    codes = re.findall(r"\b([AB]\d\.\d)\b", block)
    aspects = re.findall(r"Aspect ([AB]\d):", block)
    assert len(aspects) == 12 and block.count("General Disclosure") == 12
    expected = set(codes) | {f"{a}.GD" for a in aspects}
    have = dict(index_entries(q, "hkex-esg-code"))
    assert len(expected) == 48
    assert sorted(expected - set(have)) == []
    not_applicable = {c for c in codes if re.search(rf"{re.escape(c)} [^.]*\.[^.]*?Not applicable", block)}
    assert {c for c, s in have.items() if "not-applicable" in s} == {"A2.5", "B6.1"} >= not_applicable


def test_gri_index_every_row(q) -> None:
    block = " ".join(between("GRI Standard Index.", "SASB Standard."))
    codes = re.findall(r"(?<![\d.-])(\d{3}-\d{1,2})(?![\d%])", block)
    have = index_entries(q, "gri")
    assert sorted({c for c, _ in have}) == sorted(set(codes))
    # GRI 103-1/2/3 are printed once in general and again under every topic standard (23
    # times each). The curated index has one record per printed row, but the graph makes one
    # index entry per scheme and code (graph/mapping.py map_disclosures), so the repeats share
    # one entry that is answered in the sections of all of them.
    assert codes.count("103-1") == 23
    answered = q("""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?d a esg:DisclosureIndexEntry ; esg:provision ?p ;
                    esg:answeredIn ?s . ?p skos:notation "103-1" }""")
    assert int(answered[0]["n"]) >= 10


def test_sasb_index_every_code(q) -> None:
    block = " ".join(between("SASB Standard.", "Carbon Emission Accounting Methods."))
    codes = set(re.findall(r"TC-SI-\d{3}a\.\d", block))
    assert len(codes) == 10
    assert sorted(codes - {c for c, _ in index_entries(q, "sasb")}) == []


# ---------------------------------------------------------------------------- documents
REPORTS_NOT_DOCUMENTS = ("Baidu_2020_Environmental", "Baidu_Special_Report", "Baidu_Baijiahao_Releases")


def test_every_linked_policy_is_a_document(q) -> None:
    # Baidu's own policies are linked to esg.baidu.com/en/article/<Name> in footnotes.
    names = set(re.findall(r"https://esg\.baidu\.com/en/article/([^\s]+?)\.?(?=\s|$)", text()))
    names = {n for n in names if not n.startswith(REPORTS_NOT_DOCUMENTS)}
    names = {re.sub(r"^(Statement_on_the_|Brief_Introduction_(to|of)_(the_)?)", "", n).replace("_", " ") for n in names}
    assert len(names) == 16
    docs = {squeeze(l) for l in labels_of(q, "esg:Document")}
    docs |= {squeeze(r["l"]) for r in q("SELECT ?l WHERE { ?d a esg:Document ; skos:altLabel ?l }")}
    notes = " ".join(r["n"] for r in q("SELECT ?n WHERE { ?d a esg:Document ; skos:editorialNote ?n }"))
    missing = sorted(n for n in names if squeeze(n) not in docs and not any(squeeze(n) in d for d in docs)
                     and n not in notes)
    assert missing == []


def test_every_iso_and_national_standard_named_is_a_document(q) -> None:
    named = set(re.findall(r"\b(ISO(?:/IEC)? \d{4,5}(?:-\d)?|BS 10012|GB7778-2008|JR/T 0196-2020|BDC 41-2020|T/ISC 0014—2021)", text()))
    docs = " ".join(squeeze(l) for l in labels_of(q, "esg:Document"))
    docs += " ".join(squeeze(r["l"]) for r in q("SELECT ?l WHERE { ?d a esg:Document ; skos:altLabel ?l }"))
    assert len(named) >= 15
    assert sorted(n for n in named if squeeze(n) not in docs) == []


def test_governance_bodies_and_reporting_lines(q) -> None:
    assert "Baidu established the Environmental, Social, and Governance Committee (ESG Committee)" in text()
    rows = q("""SELECT ?a ?b WHERE { ?x esg:reportsTo ?y . ?x rdfs:label ?a . ?y rdfs:label ?b }""")
    lines_ = {(r["a"], r["b"]) for r in rows}
    assert ("The ESG Working Group", "Environmental, Social, and Governance Committee (ESG Committee)") in lines_
    assert ("Environmental, Social, and Governance Committee (ESG Committee)", "Board of Directors") in lines_
    assert ("Professional Ethics Department", "Committee of Professional Ethics") in lines_
    for name in ("Audit Committee", "Remuneration Committee", "Corporate Governance and Nomination Committee",
                 "Committee of Professional Ethics", "Internal Audit Department", "Data Management Committee"):
        assert squeeze(name) in squeeze(without_footnote_links(text()))
        assert any(name in l for l in labels_of(q, "esg:GovernanceBody")), name


def test_carbon_neutrality_commitment(q) -> None:
    assert "carbon neutrality by 2030 at the Group operational level" in text()
    rows = q("""SELECT ?year WHERE { ?t a esg:Target ; esg:targetYear ?year ; rdfs:label ?l FILTER(CONTAINS(?l, "carbon neutrality")) }""")
    assert {r["year"] for r in rows} == {"2030"}


def test_every_entity_and_value_has_a_section(q) -> None:
    rows = q("""SELECT ?x WHERE { ?x esg:report ?r FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?s }
                FILTER NOT EXISTS { ?x a esg:ReportSection } FILTER NOT EXISTS { ?x a skos:ConceptScheme }
                FILTER NOT EXISTS { ?x a <http://purl.org/linked-data/cube#DataSet> } }""")
    assert rows == []


@pytest.mark.parametrize("cls", ["esg:MaterialTopic", "esg:StakeholderGroup", "esg:CommunicationChannel",
                                 "esg:GovernanceBody", "esg:ReportSection", "esg:Document", "esg:RiskOrOpportunity",
                                 "esg:SDGAction", "esg:StakeholderConcern"])
def test_labels_are_the_reports_own_words(q, cls: str) -> None:
    report = squeeze(without_footnote_links(text()))
    # Section titles the curators composed from a figure caption are marked in their note; none here.
    assert [l for l in labels_of(q, cls) if squeeze(l) not in report] == []


def test_the_ten_sdgs_the_report_selects(q) -> None:
    stated = int(re.search(r"Baidu selected (\d+) of the most relevant SDGs", text())[1])
    assert stated == 10
    block = between("Key SDG responded Our Commitments and Main Actions Location.", "Appendix — 13.")
    goal_names = block[block.index(next(l for l in block if l.startswith("Good health and well-being"))):]
    goal_names = [l.strip(" .") for l in goal_names if l.strip()]
    assert len(goal_names) == stated
    rows = q("""SELECT DISTINCT ?a ?goal WHERE { ?a a esg:SDGAction ; esg:contributesTo ?goal .
                ?goal a <http://metadata.un.org/sdg/ontology#Goal> }""")
    assert len({r["a"] for r in rows}) == len({r["goal"] for r in rows}) == stated


def test_every_value_is_written_as_in_the_report(q) -> None:
    # The reverse check: each observation's as-written text is found in the report (line
    # breaks and footnote links inside sentences aside), so no figure was mistyped.
    report = squeeze(without_footnote_links(text()))
    written = [r["w"] for r in q("SELECT ?w WHERE { ?o a esg:Observation ; esg:asWritten ?w }")]
    assert len(written) > 200
    assert [w for w in written if squeeze(w) not in report] == []


def test_key_esg_performance_figures_are_observations_of_that_page(q) -> None:
    # Overview pages 05-06 repeat their figures in summary lines ("100% 87.2% 39.3% ...").
    summary = [l for l in lines() if l.startswith(("100% 87.2%", "56 billion times", "RMB 198.045 million RMB"))]
    assert len(summary) == 3
    figures = {f.rstrip(".") for l in summary for f in re.findall(r"\d[\d,.]*", l)} - {"37001", "50001"}  # ISO numbers: documents
    rows = q("""SELECT ?w WHERE { ?o a esg:Observation ; esg:asWritten ?w ; prov:wasDerivedFrom ?s .
                ?s skos:notation "key-esg-performance" }""")
    written = " ".join(r["w"] for r in rows)
    assert sorted(f for f in figures if f not in written) == []


def printed_in(label: str, report: str, gap: int = 40) -> bool:
    """A label is printed in the report: its parts around "..." (where a figure stands) appear
    in order, each within `gap` characters of the previous one."""
    parts = [squeeze(p) for p in label.split("...")]
    i = report.find(parts[0])
    while i != -1:
        pos, ok = i + len(parts[0]), True
        for p in parts[1:]:
            j = report.find(p, pos)
            if j == -1 or j - pos > gap:
                ok = False
                break
            pos = j + len(p)
        if ok:
            return True
        i = report.find(parts[0], i + 1)
    return False


def test_metric_labels_are_the_reports_own_words(q) -> None:
    # Table rows carry their row label; body-text figures the phrase printed around them.
    report = squeeze(without_footnote_links(text()))
    labels = labels_of(q, "esg:Metric")
    assert len(labels) > 100
    assert sorted(l for l in labels if not printed_in(l, report)) == []
