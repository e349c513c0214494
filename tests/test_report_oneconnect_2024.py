"""The bundled report is in the graph completely and in its own words.

Expected facts are read from the report's extracted text (tests/report_text.py), never
from the curated sources, so these tests catch what curation missed or mistyped.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from report_support import PREFIXES, rows_of, single_report_store

import report_text as rt

FOOTNOTE = re.compile(r"（\d）$")


@pytest.fixture(scope="module")
def q(tmp_path_factory: pytest.TempPathFactory):
    """Rows of a store built from this report alone (other reports have topics and values too)."""
    return rows_of(single_report_store(tmp_path_factory, "oneconnect-2024"), PREFIXES)


def count(q, cls: str) -> int:
    return int(q(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")[0]["n"])


def test_all_material_topics_the_report_counts(q) -> None:
    stated = int(re.search(r"識別出(\d+)項關鍵議題", rt.squeeze(rt.text()))[1])
    assert stated == 25
    assert count(q, "esg:MaterialTopic") == stated
    rows = q("SELECT ?t (COUNT(DISTINCT ?p) AS ?n) WHERE { ?t a esg:MaterialTopic ; esg:pillar ?p } GROUP BY ?t")
    assert len(rows) == stated and all(r["n"] == "1" for r in rows)


def test_every_matrix_topic_name_is_a_topic_label(q) -> None:
    # The topic names follow the matrix legend line; axis words and the legend precede it.
    matrix = rt.section_lines("環境議題 社會議題 管治議題", "推動聯合國可持續發展目標")[1:]
    names = [l.strip() for l in matrix]
    labels = {r["l"] for r in q("SELECT ?l WHERE { ?t a esg:MaterialTopic ; rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'zh-Hant')) }")}
    assert len(names) == 25
    assert set(names) == labels


def test_seven_stakeholder_groups_with_concerns_and_channels(q) -> None:
    # The 1.2 table lists seven groups (政府與監管機構 … 媒體、社會團體及其他持份者).
    table = rt.squeeze("".join(rt.section_lines("持份者 關注議題 溝通渠道", "實質性議題識別 1.3")))
    rows = q("""SELECT ?l (COUNT(DISTINCT ?c) AS ?concerns) (COUNT(DISTINCT ?ch) AS ?channels) WHERE {
                ?s a esg:StakeholderGroup ; rdfs:label ?l ; esg:hasConcern ?c ; esg:communicationChannel ?ch
                FILTER(LANGMATCHES(LANG(?l), 'zh-Hant')) } GROUP BY ?l""")
    assert len(rows) == 7
    for r in rows:
        assert r["l"] in table
        assert int(r["concerns"]) >= 2 and int(r["channels"]) >= 2
    channels = q("SELECT ?l WHERE { ?c a esg:CommunicationChannel ; rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'zh-Hant')) }")
    bullets = [rt.squeeze(l.strip()[1:]) for l in rt.section_lines("持份者 關注議題 溝通渠道", "實質性議題識別 1.3") if l.strip().startswith("•")]
    assert sorted(rt.squeeze(c["l"]) for c in channels) == sorted(bullets)


def test_concern_that_is_a_topic_links_to_it(q) -> None:
    rows = q("""SELECT ?cl ?tl WHERE { ?c a esg:StakeholderConcern ; rdfs:label ?cl ; esg:concernTopic ?t .
                ?t rdfs:label ?tl FILTER(LANGMATCHES(LANG(?cl), 'zh-Hant') && LANGMATCHES(LANG(?tl), 'zh-Hant')) }""")
    pairs = {(r["cl"], r["tl"]) for r in rows}
    assert ("員工培訓及發展", "員工培訓與發展") in pairs  # another wording, same topic
    assert ("信息安全與隱私保護", "信息安全與隱私保護") in pairs
    unlinked = q("""SELECT ?l WHERE { ?c a esg:StakeholderConcern ; rdfs:label ?l
                    FILTER NOT EXISTS { ?c esg:concernTopic ?t } FILTER(LANGMATCHES(LANG(?l), 'zh-Hant')) }""")
    assert "勞工準則" in {r["l"] for r in unlinked}


def test_one_action_per_sdg_block_of_section_1_4(q) -> None:
    section = "".join(rt.section_lines("推動聯合國可持續發展目標（UN SDGs） 1.4", "公司管治 2.1"))
    blocks = section.count("公司行動")
    rows = q("SELECT ?a ?goal WHERE { ?a a esg:SDGAction ; esg:contributesTo ?goal . ?goal a <http://metadata.un.org/sdg/ontology#Goal> }")
    assert len({r["a"] for r in rows}) == blocks == 12
    assert all(re.fullmatch(r"http://metadata.un.org/sdg/\d+", r["goal"]) for r in rows)


def test_every_kpi_table_cell_is_an_observation(q) -> None:
    rows = q("""SELECT ?label ?year ?value ?unit WHERE {
                ?o esg:metric ?m ; esg:year ?year ; esg:valueAsPrinted ?value ; prov:wasDerivedFrom ?s .
                ?s skos:notation "5.1" .
                { ?m rdfs:label ?label } UNION { ?m skos:altLabel ?label }
                FILTER(LANGMATCHES(LANG(?label), 'zh-Hant')) }""")
    have = {(rt.squeeze(r["label"]), int(r["year"]), Decimal(r["value"])) for r in rows}
    expected = rt.kpi_rows()
    assert len(expected) > 200
    missing = []
    for label, unit, year, value in expected:
        label = FOOTNOTE.sub("", label)
        if unit == "萬元":
            value *= 10000
        candidates = {rt.squeeze(label), rt.squeeze(label.split(" ")[-1])}  # category cell + label
        if not any((c, year, value) in have for c in candidates):
            missing.append((label, unit, year, value))
    assert missing == []


def test_highlights_page_figures_are_kept_with_their_section(q) -> None:
    rows = q("""SELECT ?value ?written WHERE { ?o esg:value ?value ; prov:wasDerivedFrom ?s .
                OPTIONAL { ?o esg:asWritten ?written } ?s skos:notation "highlights" }""")
    written = {rt.squeeze(r["written"] or "") for r in rows}
    for figure in ("22.48億元", "0.4", "16%", "32%", "39項", "0件", "314家", "44.44%", "100%"):
        assert any(figure in w for w in written), figure


def test_contradictions_are_kept_side_by_side(q) -> None:
    rows = q("""SELECT ?value ?sec WHERE { ?o esg:metric ?m ; esg:year "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
                esg:value ?value ; prov:wasDerivedFrom ?s . ?s skos:notation ?sec .
                ?m rdfs:label "新增專利授權"@zh-Hant }""")
    by_section = {r["sec"]: Decimal(r["value"]) for r in rows}
    assert by_section["5.1"] == 29 and by_section["highlights"] == 39


def test_hkex_and_gri_index_rows_are_all_present(q) -> None:
    hkex_text = "\n".join(rt.section_lines("條文索引表 5.2", "GRI標準指標索引表 5.3"))
    hkex_codes = set(re.findall(r"\b([AB]\d\.\d)\b", hkex_text))
    rows = q("""SELECT ?code ?scheme WHERE { ?d a esg:DisclosureIndexEntry ; esg:provision ?p .
                ?p skos:notation ?code ; skos:inScheme ?scheme }""")
    have = {(r["scheme"].rsplit("/", 1)[-1], r["code"]) for r in rows}
    assert hkex_codes and all(("hkex-esg-code", c) in have for c in hkex_codes)
    all_gri = "\n".join(rt.text().splitlines()[next(i for i, l in enumerate(rt.text().splitlines()) if "GRI標準指標索引表 5.3" in l):])
    gri_codes = set(re.findall(r"(?<![\d.-])(\d{1,3}-\d{1,2})(?![\d%])", all_gri))
    assert len(gri_codes) > 50
    assert sorted(c for c in gri_codes if ("gri", c) not in have) == []


NOT_DOCUMENTS = {
    # 《》 also marks names that are not documents the company has or follows.
    "銀行家雜誌": "a magazine that gave an award",
    "經濟觀察報": "a newspaper that gave an award",
    # Training course titles (3.2.2): the model has no training programmes yet.
    "五星行動力": "course", "POA創新思維": "course", "致勝表達和高效工作匯報": "course",
    "高管提問力之蘇格拉底式提問": "course", "成長型思維": "course", "銀行數字化轉型培訓": "course",
    "擁抱變革：從自我認知走向自我突破": "course",
}


def test_every_named_document_is_in_the_graph(q) -> None:
    names = {rt.squeeze(n) for n in re.findall(r"《([^》]+)》", rt.text())}
    labels = {rt.squeeze(r["l"]) for r in q("""SELECT ?l WHERE { ?d a esg:Document .
              { ?d rdfs:label ?l } UNION { ?d skos:altLabel ?l } UNION { ?d skos:editorialNote ?l } }""")}
    notes = "".join(labels)
    missing = sorted(n for n in names if n not in labels and n not in NOT_DOCUMENTS and n not in notes)
    assert missing == []


@pytest.mark.parametrize("cls", ["esg:MaterialTopic", "esg:StakeholderGroup", "esg:StakeholderConcern",
                                 "esg:CommunicationChannel", "esg:Document", "esg:GovernanceBody",
                                 "esg:RiskOrOpportunity", "esg:ReportSection"])
def test_zh_labels_are_the_reports_own_words(q, cls: str) -> None:
    report = rt.squeeze(rt.text())
    rows = q(f"SELECT ?x ?l WHERE {{ ?x a {cls} ; rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'zh-Hant')) }}")
    assert rows
    assert [r["l"] for r in rows if rt.squeeze(r["l"]) not in report] == []


def test_every_entity_and_value_has_a_section(q) -> None:
    rows = q("""SELECT ?x WHERE { ?x esg:report ?r FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?s }
                FILTER NOT EXISTS { ?x a esg:ReportSection } FILTER NOT EXISTS { ?x a skos:ConceptScheme }
                FILTER NOT EXISTS { ?x a <http://purl.org/linked-data/cube#DataSet> } }""")
    assert rows == []


def test_carbon_neutrality_commitment_2030(q) -> None:
    rows = q("""SELECT ?year ?sec WHERE { ?t a esg:Target ; esg:targetKind "commitment" ; esg:targetYear ?year ;
                rdfs:label ?l ; prov:wasDerivedFrom ?s . ?s skos:notation ?sec FILTER(CONTAINS(STR(?l), "碳中和")) }""")
    assert {r["year"] for r in rows} == {"2030"}
    assert {"chairman-message"} <= {r["sec"] for r in rows}


def test_topics_reach_sdgs_through_actions(q) -> None:
    rows = q("""SELECT DISTINCT ?goal WHERE { ?t rdfs:label "應對氣候變化"@zh-Hant ; esg:contributesTo ?goal }""")
    assert "http://metadata.un.org/sdg/13" in {r["goal"] for r in rows}


# ---------------------------------------------------------------- what the report says in prose

SEED = Path("/work/shared/seed/000_b2fb1fc4904d888d.txt")
QUALIFIED = re.compile(r"超過|超|以上|以下|多個|近|突破|\+|≥|—")


def _fragments(label: str) -> list[str]:
    """A label quotes the report; "…" / "……" stands where the report's figure or elided words are."""
    return [f for f in re.split(r"…+", rt.squeeze(label)) if f]


def test_bundled_text_is_the_seed_report() -> None:
    if not SEED.exists():
        pytest.skip(f"{SEED} is absent: the bundled text cannot be compared with the seed")
    assert rt.text() == SEED.read_text(encoding="utf-8")


def test_every_label_not_marked_composed_is_the_reports_own_words(q) -> None:
    report = rt.squeeze(rt.text())
    rows = q("""SELECT ?x ?l WHERE { ?x esg:report ?r ; rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'zh-Hant'))
                FILTER NOT EXISTS { ?x esg:labelComposed true } }""")
    assert len({r["x"] for r in rows}) > 700
    missing = [(r["x"].rsplit("/", 2)[-2:], r["l"]) for r in rows
               if not all(f in report for f in _fragments(r["l"]))]
    assert missing == []
    composed = q("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x esg:report ?r ; esg:labelComposed true }")
    assert int(composed[0]["n"]) > 0  # the mapper's own labels (index entries, SDG statements) say so


def test_a_value_printed_with_a_qualifier_is_a_bound_not_an_exact_value(q) -> None:
    rows = q("""SELECT ?o ?w ?v ?key ?low ?high ?approx WHERE { ?o a esg:Observation ; esg:asWritten ?w
                OPTIONAL { ?o esg:value ?v } OPTIONAL { ?o esg:valueQualifier/skos:notation ?key }
                OPTIONAL { ?o esg:lowerBound ?low } OPTIONAL { ?o esg:upperBound ?high }
                OPTIONAL { ?o esg:approximateValue ?approx } }""")
    qualified = [r for r in rows if QUALIFIED.search(r["w"]) and not r["w"].startswith("連續")]
    assert len(qualified) >= 21
    assert [r["w"] for r in qualified if r["v"] is not None or r["key"] is None] == []
    by_written = {r["w"]: r for r in qualified}
    assert by_written["1%以下"]["key"] == "at-most" and Decimal(by_written["1%以下"]["high"]) == 1
    assert by_written["超過197家"]["key"] == "more-than" and Decimal(by_written["超過197家"]["low"]) == 197
    assert by_written["300+"]["key"] == "at-least" and Decimal(by_written["300+"]["low"]) == 300
    assert by_written["近百名"]["key"] == "approximately" and Decimal(by_written["近百名"]["approx"]) == 100
    span = by_written["1—1.5小時"]
    assert span["key"] == "range" and (Decimal(span["low"]), Decimal(span["high"])) == (1, Decimal("1.5"))


def test_every_award_of_the_awards_page_with_issuer_and_month(q) -> None:
    lines = rt.section_lines("獎項名稱 頒發機構 頒發時間", "國際競賽第一")[1:]
    rows = [re.match(r"^(.*) (\d{4})年(\d{1,2})月$", l.strip()) for l in lines]
    rows = [m for m in rows if m]
    assert len(rows) == 22
    have = q("""PREFIX dcterms: <http://purl.org/dc/terms/>
                SELECT ?name ?issuer ?date WHERE { ?org esg:receivedAward ?a . ?a rdfs:label ?name ; dcterms:date ?date ;
                esg:awardedBy/rdfs:label ?issuer FILTER(LANGMATCHES(LANG(?name), 'zh-Hant') && LANGMATCHES(LANG(?issuer), 'zh-Hant')) }""")
    printed = {(rt.squeeze(m[1]), f"{m[2]}-{int(m[3]):02d}") for m in rows}
    found = {(rt.squeeze(r["name"] + r["issuer"]), r["date"]) for r in have}
    assert printed <= found


def test_training_programmes_keep_their_cadence_as_written(q) -> None:
    table = rt.squeeze("".join(rt.section_lines("領導力培養項目 項目簡介", "在培訓形式方面")))
    rows = q("""SELECT ?name ?cadence ?code ?parent WHERE { ?p a esg:Programme ; rdfs:label ?name ; esg:cadence ?cadence ;
                esg:frequency ?code ; <http://purl.org/dc/terms/isPartOf>/rdfs:label ?parent
                FILTER(LANGMATCHES(LANG(?name), 'zh-Hant') && LANGMATCHES(LANG(?cadence), 'zh-Hant') && LANGMATCHES(LANG(?parent), 'zh-Hant')) }""")
    by_name = {r["name"]: r for r in rows}
    for name, cadence, code in (("卡路里", "季度開展", "quarterly"), ("氨基酸", "不定期開展", "ad-hoc"), ("氧分子", "月度開展", "monthly")):
        assert f"{name}" in table and cadence in table
        assert (by_name[name]["cadence"], by_name[name]["code"], by_name[name]["parent"]) == (cadence, code, "馬拉松培訓體系")


def test_community_programmes_with_dates_partners_and_amounts(q) -> None:
    rows = q("""SELECT ?name ?start ?partner ?amount WHERE { ?p a esg:Programme ; rdfs:label ?name ;
                <https://schema.org/startDate> ?start ; esg:partner/rdfs:label ?partner .
                OPTIONAL { ?p esg:amountAsWritten ?amount FILTER(LANGMATCHES(LANG(?amount), 'zh-Hant')) }
                FILTER(LANGMATCHES(LANG(?name), 'zh-Hant') && LANGMATCHES(LANG(?partner), 'zh-Hant')) }""")
    walk = [r for r in rows if r["name"] == "“一個雞蛋的暴走”"]
    assert {r["start"] for r in walk} == {"2024-05-18"} and {r["partner"] for r in walk} == {"上海聯勸公益基金會"}
    assert "共捐出了3萬元善款" in {r["amount"] for r in walk}
    volunteer = {r["name"]: r["start"] for r in rows if r["partner"] == "平安志願者協會"}
    assert volunteer == {"平安守護者行動——橙心守護安全急救科普活動": "2024-04", "中國平安無償獻血志願者活動": "2024-07",
                         "高考保障志願者服務": "2024-06"}


def test_whistleblowing_channels_and_customer_hotline_as_printed(q) -> None:
    section = "".join(rt.section_lines("舉報程式及舉報人保護 2.4.3", "以客為先 3.1"))
    emails = set(re.findall(r"[A-Za-z_]+@ocft\.com", section))
    hotline = re.search(r"400服務熱線（(\d+)）", rt.squeeze(rt.text()))[1]
    rows = q("""SELECT ?name ?email ?phone ?by WHERE { ?s a esg:NamedSystem ; rdfs:label ?name FILTER(LANGMATCHES(LANG(?name), 'zh-Hant'))
                OPTIONAL { ?s <https://schema.org/email> ?email } OPTIONAL { ?s <https://schema.org/telephone> ?phone }
                OPTIONAL { ?s esg:operatedBy/rdfs:label ?by FILTER(LANGMATCHES(LANG(?by), 'zh-Hant')) } }""")
    assert len(emails) == 2 and emails == {r["email"] for r in rows if r["email"]}
    assert {r["by"] for r in rows if r["email"]} == {"內部審計團隊"}
    assert {r["name"] for r in rows if r["phone"] == hotline} == {"400服務熱線"}
    assert {"電子郵件", "信函", "電話", "來訪", "web線上客服", "企業微信客服"} <= {r["name"] for r in rows}


def test_horizons_as_the_report_defines_them(q) -> None:
    printed = re.findall(r"(短期|中期|長期)（(\d+)(?:～(\d+))?年(以上)?）", rt.squeeze(rt.text()))
    assert len(printed) == 3
    rows = q("""SELECT ?name ?from ?to ?concept WHERE { ?r esg:definesHorizon ?h . ?h rdfs:label ?name ; esg:fromYears ?from ;
                esg:ofHorizon ?concept OPTIONAL { ?h esg:toYears ?to } FILTER(LANGMATCHES(LANG(?name), 'zh-Hant')) }""")
    have = {(r["name"][:2], Decimal(r["from"]), Decimal(r["to"]) if r["to"] else None) for r in rows}
    assert have == {(term, Decimal(a), Decimal(b) if b else None) for term, a, b, _ in printed}


def test_reporting_lines_between_posts(q) -> None:
    rows = q("""SELECT ?post ?boss ?body WHERE { ?p a <http://www.w3.org/ns/org#Post> ; rdfs:label ?post ;
                <http://www.w3.org/ns/org#postIn>/rdfs:label ?body ; <http://www.w3.org/ns/org#reportsTo>/rdfs:label ?boss
                FILTER(LANGMATCHES(LANG(?post), 'zh-Hant') && LANGMATCHES(LANG(?boss), 'zh-Hant') && LANGMATCHES(LANG(?body), 'zh-Hant')) }""")
    assert "首席財務官承擔全面風險管理的推動和實施，向首席執行官直接匯報" in rt.squeeze(rt.text())
    assert ("首席財務官", "首席執行官", "經營管理層") in {(r["post"], r["boss"], r["body"]) for r in rows}


def test_no_external_body_is_a_unit_of_the_company(q) -> None:
    rows = q("""SELECT ?l WHERE { ?b esg:bodyKind "external" ; rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'zh-Hant'))
                FILTER EXISTS { ?b <http://www.w3.org/ns/org#linkedTo> ?org . ?org a <http://www.w3.org/ns/org#FormalOrganization> } }""")
    assert {"平安集團", "外部專家"} <= {r["l"] for r in rows}
    wrong = q("""SELECT ?b WHERE { ?b esg:bodyKind "external" .
                 { ?b <http://www.w3.org/ns/org#unitOf>|<http://www.w3.org/ns/org#subOrganizationOf> ?p }
                 UNION { ?p <http://www.w3.org/ns/org#hasUnit> ?b }
                 FILTER NOT EXISTS { ?p esg:bodyKind "external" } }""")
    assert wrong == []


def test_listings_commitments_and_the_green_workplace_statement(q) -> None:
    text = rt.squeeze(rt.text())
    assert "2019年12月登陸紐約交易所" in text and "2022年7月正式在香港聯交所掛牌上市" in text
    listings = q("""SELECT ?exchange ?date WHERE { ?org esg:listing ?l . ?l esg:exchange ?exchange ; <http://purl.org/dc/terms/date> ?date
                    FILTER(LANGMATCHES(LANG(?exchange), 'zh-Hant')) }""")
    assert {(r["exchange"], r["date"]) for r in listings} == {("紐約交易所", "2019-12"), ("香港聯交所", "2022-07")}
    pledge = q("""SELECT ?year ?to WHERE { ?org esg:makesCommitment ?c . ?c rdfs:label "承諾到2030年實現運營碳中和"@zh-Hant ;
                  esg:byYear ?year ; esg:madeTo/rdfs:label "平安集團"@zh-Hant }""")
    assert {r["year"] for r in pledge} == {"2030"}
    green = q("""SELECT ?sec WHERE { ?c a esg:SDGContribution ; esg:sdg sdg:7 ; prov:wasDerivedFrom/skos:notation ?sec }""")
    assert "4.2" in {r["sec"] for r in green} and "4.1.4" not in {r["sec"] for r in green}  # 綠色職場 is 4.2's
