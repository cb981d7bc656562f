"""Entity resolution across documents, tenures and the 2025 administrative units (kg.resolve).

The articles below are short snippets written for these tests in the genre of the corpus.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import ids, queries, resolve
from kg.export import facts_records
from kg.pipeline import ingest
from kg.store import Store
from kg.vocab import KG, RESOLUTION_GRAPH

SHARED = Path(__file__).resolve().parents[2] / "shared"

ARTICLES = {
    # Nguyễn Văn Sơn of Lào Cai, twice; "đồng chí Sơn" later in the first is the same man.
    "lc_2021.txt": "Lào Cai tổng kết công tác y tế năm 2020\n\n"
                   "Ngày 15/3/2021, Sở Y tế tỉnh Lào Cai tổ chức hội nghị tổng kết công tác năm 2020. "
                   "Ông Nguyễn Văn Sơn, Giám đốc Sở Y tế tỉnh Lào Cai chủ trì hội nghị.\n"
                   "Đồng chí Sơn đề nghị các đơn vị tiếp tục nâng cao chất lượng khám chữa bệnh.\n",
    "lc_2022.txt": "Kiểm tra công tác phòng chống dịch tại Bát Xát\n\n"
                   "Ngày 10/5/2022, đồng chí Nguyễn Văn Sơn, Giám đốc Sở Y tế tỉnh Lào Cai, đã kiểm tra "
                   "công tác phòng chống dịch tại huyện Bát Xát, tỉnh Lào Cai.\n",
    # A namesake in Hà Giang.
    "hg_2021.txt": "Hà Giang làm việc với huyện Đồng Văn\n\n"
                   "Ngày 20/4/2021, UBND tỉnh Hà Giang làm việc với huyện Đồng Văn. Ông Nguyễn Văn Sơn, "
                   "Phó Chủ tịch UBND tỉnh Hà Giang chủ trì buổi làm việc.\n",
    # Lê Văn Khánh: provincial director, then deputy minister; the appointment states the move.
    "yb_2020.txt": "Yên Bái triển khai nhiệm vụ y tế năm 2020\n\n"
                   "Ngày 2/2/2020, Sở Y tế tỉnh Yên Bái tổ chức hội nghị triển khai nhiệm vụ năm 2020. "
                   "Ông Lê Văn Khánh, Giám đốc Sở Y tế tỉnh Yên Bái chủ trì hội nghị.\n",
    "bo_2023.txt": "Trao quyết định bổ nhiệm Thứ trưởng Bộ Y tế\n\n"
                   "Ngày 1/3/2023, Bộ Y tế tổ chức lễ trao quyết định bổ nhiệm ông Lê Văn Khánh, nguyên Giám đốc "
                   "Sở Y tế tỉnh Yên Bái, giữ chức Thứ trưởng Bộ Y tế.\n",
    "bo_2024.txt": "Thứ trưởng Bộ Y tế làm việc với Bệnh viện Bạch Mai\n\n"
                   "Ngày 5/6/2024, Thứ trưởng Bộ Y tế Lê Văn Khánh làm việc với Bệnh viện Bạch Mai về công tác "
                   "khám chữa bệnh.\n",
    # After the 2025 merger, Yên Bái is part of Lào Cai.
    "lc_2025.txt": "Lào Cai kiện toàn ngành y tế sau sáp nhập\n\n"
                   "Ngày 10/8/2025, Sở Y tế tỉnh Lào Cai tổ chức hội nghị triển khai nhiệm vụ sau sắp xếp đơn vị "
                   "hành chính. Bà Hoàng Thị Mai, Giám đốc Sở Y tế tỉnh Lào Cai chủ trì hội nghị.\n",
}


def write(folder: Path, names) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(ARTICLES[name], encoding="utf-8")
    return folder


def build(tmp_path: Path, names=tuple(ARTICLES)) -> Path:
    path = tmp_path / "store"
    with Store.open(path) as store:
        report = ingest([str(write(tmp_path / "docs", names))], store=store)
    assert report.documents == len(names) and report.resolution is not None
    return path


def ids_by_doc(store) -> dict[str, dict[str, str]]:
    return {r["doc"]: r["ids"] for r in facts_records(store)}


def test_namesakes_in_two_provinces_stay_two_and_one_official_joins(tmp_path):
    path = build(tmp_path, ["lc_2021.txt", "lc_2022.txt", "hg_2021.txt"])
    with Store.open(path, read_only=True) as store:
        got = ids_by_doc(store)
    assert got["lc_2021.txt"] == {"Nguyễn Văn Sơn": got["lc_2022.txt"]["Nguyễn Văn Sơn"]}  # "đồng chí Sơn" is him
    assert got["hg_2021.txt"]["Nguyễn Văn Sơn"] != got["lc_2021.txt"]["Nguyễn Văn Sơn"]
    assert all(iri.startswith(ids.BASE + "entity/") for d in got.values() for iri in d.values())


def test_central_official_joins_only_when_an_article_states_the_move(tmp_path):
    path = build(tmp_path / "without", ["yb_2020.txt", "bo_2024.txt"])
    with Store.open(path, read_only=True) as store:
        got = ids_by_doc(store)
    assert got["yb_2020.txt"]["Lê Văn Khánh"] != got["bo_2024.txt"]["Lê Văn Khánh"]

    path = build(tmp_path / "with", ["yb_2020.txt", "bo_2024.txt", "bo_2023.txt"])
    with Store.open(path, read_only=True) as store:
        got = ids_by_doc(store)
        reasons = {r["reason"] for r in resolve.explain(store, "Lê Văn Khánh")}
    assert len({d["Lê Văn Khánh"] for d in got.values()}) == 1
    # Yên Bái links the first two; the ministry (an organization with no province) the last two.
    assert {"shared_province", "shared_organization"} <= reasons


def test_join_records_keep_reason_and_evidence(tmp_path):
    path = build(tmp_path, ["lc_2021.txt", "lc_2022.txt"])
    with Store.open(path, read_only=True) as store:
        rows = store.query(f"""SELECT ?reason ?detail ?quote WHERE {{
            GRAPH <{RESOLUTION_GRAPH}> {{ ?j a <{KG.JoinRecord}> ; <{KG.reason}> ?reason ;
                                           <{KG.detail}> ?detail ; <{KG.basis}> ?h }}
            GRAPH ?doc {{ ?h <{KG.evidence}>/<{KG.quote}> ?quote }} }}""").dicts()
    assert {r["reason"] for r in rows} == {"shared_province"}
    assert {r["detail"] for r in rows} == {"lào cai"}
    assert len(rows) == 2 and all("Giám đốc Sở Y tế tỉnh Lào Cai" in r["quote"] for r in rows)


def test_judgements_split_and_merge_undo_a_join(tmp_path):
    path = build(tmp_path, ["lc_2021.txt", "lc_2022.txt", "hg_2021.txt"])
    with Store.open(path) as store:
        resolve.add_judgement(path, resolve.Judgement("split", "Nguyễn Văn Sơn@lc_2021.txt",
                                                      "Nguyễn Văn Sơn@lc_2022.txt"))
        resolve.resolve(store, store_dir=path)
        got = ids_by_doc(store)
        assert len({d["Nguyễn Văn Sơn"] for d in got.values()}) == 3
        resolve.add_judgement(path, resolve.Judgement("merge", "Nguyễn Văn Sơn@hg_2021.txt",
                                                      "Nguyễn Văn Sơn@lc_2021.txt"))
        report = resolve.resolve(store, store_dir=path)
        got = ids_by_doc(store)
    assert report.judgements == 2 and report.reasons["judgement"] == 1
    assert got["hg_2021.txt"] == got["lc_2021.txt"] != got["lc_2022.txt"]
    lines = (path / resolve.JUDGEMENTS_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["op"] for line in lines] == ["split", "merge"]


def test_malformed_judgements_file_is_an_input_error(tmp_path):
    from kg.errors import InputError

    (tmp_path / resolve.JUDGEMENTS_FILE).write_text('{"op": "join", "a": "x", "b": "y"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="merge or split"):
        resolve.load_judgements(tmp_path)


def test_career_returns_tenures_ordered_by_date_with_sources(tmp_path):
    path = build(tmp_path)
    with Store.open(path, read_only=True) as store:
        rows = queries.run(store, "career", {"person": "Lê Văn Khánh"}).dicts()
    assert [r["position"] for r in rows] == ["Giám đốc Sở Y tế tỉnh Yên Bái", "Thứ trưởng Bộ Y tế"]
    assert [r["since"] for r in rows] == ["2020-02-02", "2023-03-01"]
    assert rows[0]["until"] == "2023-03-01"  # "nguyên Giám đốc" in the appointment article
    assert rows[1]["last_seen"] == "2024-06-05" and rows[1]["until"] is None
    assert [r["files"] for r in rows] == ["bo_2023.txt | yb_2020.txt", "bo_2023.txt | bo_2024.txt"]
    assert all(r["quotes"] and r["sources"] == 2 for r in rows)
    assert len({r["iri"] for r in rows}) == 1


def test_holders_at_a_date_under_either_province_name(tmp_path):
    path = build(tmp_path)
    with Store.open(path, read_only=True) as store:
        def who(post, date):
            return [r["name"] for r in resolve.holders_at(store, post, date)]

        assert who("Giám đốc Sở Y tế Lào Cai", "2021-06-01") == ["Nguyễn Văn Sơn"]
        assert who("Giám đốc Sở Y tế tỉnh Yên Bái", "2020-06-01") == ["Lê Văn Khánh"]
        # Yên Bái merged into Lào Cai on 2025-07-01: the old name finds the new unit's holder.
        assert who("Giám đốc Sở Y tế tỉnh Yên Bái", "2025-09-01") == ["Hoàng Thị Mai"]
        assert who("Giám đốc Sở Y tế Lào Cai", "2025-09-01") == ["Hoàng Thị Mai"]
        assert who("Giám đốc Sở Y tế Lào Cai", "2019-01-01") == []


def test_admin_graph_links_merged_units_and_their_organizations(tmp_path):
    path = build(tmp_path, ["yb_2020.txt"])
    with Store.open(path, read_only=True) as store:
        rows = store.query(f"""SELECT ?old ?new ?date WHERE {{
            ?o <{KG.succeededBy}> ?n ; <{KG.changeDate}> ?date ; <{KG.name}> ?old . ?n <{KG.name}> ?new }}""").dicts()
    pairs = {(r["old"], r["new"], r["date"]) for r in rows}
    assert ("Yên Bái", "Lào Cai", "2025-07-01") in pairs
    assert ("Sở Y tế tỉnh Yên Bái", "Sở Y tế tỉnh Lào Cai", "2025-07-01") in pairs
    assert ("Thừa Thiên Huế", "Huế", "2025-01-01") in pairs
    assert sum(1 for r in rows if r["old"] == r["new"]) == 0


def test_post_key_reads_abbreviations_and_province_forms():
    assert resolve.post_key("Chủ tịch UBND tỉnh Thừa Thiên - Huế") == "chủ tịch ủy ban nhân dân thừa thiên huế"
    assert resolve.post_key("Tỉnh ủy viên, Giám đốc Sở") != resolve.post_key("Giám đốc Sở")
    assert resolve.post_key("Tỉnh ủy viên") == "ủy viên tỉnh ủy"
    assert resolve.unit_at("chủ tịch ủy ban nhân dân thừa thiên huế", "2025-03-01") == "chủ tịch ủy ban nhân dân huế"


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="needs ../shared")
def test_ingesting_seeds_and_dev_twice_gives_no_duplicate_persons(tmp_path):
    paths = [str(SHARED / "seeds"), str(SHARED / "corpus" / "dev")]
    count = f"""SELECT (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?m) AS ?mentions) WHERE {{
        GRAPH <{RESOLUTION_GRAPH}> {{ ?m <{KG.resolvedTo}> ?e }} }}"""
    # Two persons of one name that share a province of their posts would be a duplicate.
    duplicates = f"""SELECT ?key ?province (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        GRAPH <{RESOLUTION_GRAPH}> {{ ?e a <{KG.PersonEntity}> ; <{KG.name}> ?name ; <{KG.province}> ?province }}
        BIND (LCASE(?name) AS ?key) }} GROUP BY ?key ?province HAVING (COUNT(DISTINCT ?e) > 1)"""
    one_each = f"""SELECT ?m (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        GRAPH <{RESOLUTION_GRAPH}> {{ ?m a <{KG.PersonMention}> . OPTIONAL {{ ?m <{KG.resolvedTo}> ?e }} }}
        }} GROUP BY ?m HAVING (COUNT(DISTINCT ?e) != 1)"""
    with Store.open(tmp_path / "s") as store:
        ingest(paths, store=store)
        first = store.query(count).dicts()[0]
        ids_first = ids_by_doc(store)
        report = ingest(paths, store=store, force=True)
        assert report.documents > 0 and report.resolution is not None
        second = store.query(count).dicts()[0]
        assert store.query(duplicates).rows == []
        assert store.query(one_each).rows == []
        ids_second = ids_by_doc(store)
    assert first == second and first["mentions"] > first["entities"] > 0
    assert ids_first == ids_second


def test_resolved_store_conforms_to_the_shapes(tmp_path):
    from kg.validate import validate

    path = build(tmp_path)
    with Store.open(path, read_only=True) as store:
        conforms, report = validate(store)
    assert conforms, report


def test_cli_resolve_records_judgements_and_explains(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    path = build(tmp_path, ["lc_2021.txt", "lc_2022.txt"])
    runner = CliRunner()
    r = runner.invoke(cli, ["--store", str(path), "resolve", "--split", "Nguyễn Văn Sơn@lc_2021.txt",
                            "Nguyễn Văn Sơn@lc_2022.txt", "--explain", "Nguyễn Văn Sơn"])
    assert r.exit_code == 0, r.output
    assert "2 persons" in r.output and "lc_2022.txt" in r.output
    r = runner.invoke(cli, ["--store", str(path), "resolve", "--merge", "Nobody@lc_2021.txt", "Nguyễn Văn Sơn@lc_2022.txt"])
    assert r.exit_code == 2 and "names no person" in r.output
    assert len((path / resolve.JUDGEMENTS_FILE).read_text(encoding="utf-8").splitlines()) == 1


def _mention(doc, *, province=None, post=None, org=None, doc_province=None):
    holdings = []
    if post:
        holdings.append(resolve.Holding(
            iri=f"h-{doc}", doc=doc, person=f"p-{doc}", position=post, role=post.split(" ")[0], post=f"post-{doc}",
            org=f"org-{org}-{province}", org_name=org, province=province, status="current", date=None))
    return resolve.Mention(doc=doc, person=f"p-{doc}", file=doc, names={"Trần Văn An"},
                           doc_province=doc_province, holdings=holdings)


def test_an_untitled_mention_joins_the_only_official_of_its_name_and_no_other():
    official = _mention("a", province="lào cai", post="Chủ tịch UBND tỉnh Lào Cai", org="UBND tỉnh Lào Cai")
    untitled = _mention("b", doc_province="lào cai")
    groups, joins = resolve.cluster([official, untitled])
    assert len(groups) == 1 and [j.reason for j in joins] == ["document_province"]
    untitled = _mention("b")  # an article that names no province
    groups, joins = resolve.cluster([official, untitled])
    assert len(groups) == 1 and [j.reason for j in joins] == ["only_person"]
    # An article about another province: a common name there may be anyone.
    elsewhere = _mention("e", doc_province="hà nội")
    assert len(resolve.cluster([official, elsewhere])[0]) == 2
    namesake = _mention("c", province="hà giang", post="Phó Chủ tịch UBND tỉnh Hà Giang", org="UBND tỉnh Hà Giang")
    groups, _ = resolve.cluster([official, untitled, namesake])
    assert len(groups) == 3


def test_national_posts_tie_no_province():
    # The extractor may give a Central Committee post the article's province; it does not
    # split two mentions of a national official in articles about different provinces.
    a = _mention("a", province="lào cai", post="Ủy viên Trung ương Đảng", org="Ban Chấp hành Trung ương Đảng")
    b = _mention("b", province="nghệ an", post="Ủy viên Trung ương Đảng", org="Ban Chấp hành Trung ương Đảng")
    groups, joins = resolve.cluster([a, b])
    assert len(groups) == 1 and [j.reason for j in joins] == ["central_post"]
    c = _mention("c", province="lào cai", post="Giám đốc Sở Y tế tỉnh Lào Cai", org="Sở Y tế tỉnh Lào Cai")
    d = _mention("d", province="nghệ an", post="Giám đốc Sở Y tế tỉnh Nghệ An", org="Sở Y tế tỉnh Nghệ An")
    assert len(resolve.cluster([c, d])[0]) == 2


def test_a_rare_name_is_one_person_unless_its_posts_conflict_in_time():
    def dated(doc, province, day):
        org = f"Sở Y tế tỉnh {province.title()}" if doc == "a" else f"UBND tỉnh {province.title()}"
        m = _mention(doc, province=province, post=("Giám đốc " if doc == "a" else "Phó Chủ tịch ") + org, org=org)
        m.holdings[0].date = day
        return m

    apart = [dated("a", "lào cai", "2019-03-01"), dated("b", "hà giang", "2019-06-01")]
    assert len(resolve.cluster(apart, namesakes=0.01)[0]) == 2  # two posts at once: two persons
    assert len(resolve.cluster(apart, namesakes=5.0)[0]) == 2
    moved = [dated("a", "lào cai", "2012-03-01"), dated("b", "hà giang", "2019-06-01")]
    groups, joins = resolve.cluster(moved, namesakes=0.01)
    assert len(groups) == 1 and [j.reason for j in joins] == ["rare_name"]
    assert "expected namesakes 0.01" in joins[0].detail and joins[0].basis
    assert len(resolve.cluster(moved, namesakes=5.0)[0]) == 2  # a common name needs a stated move


def test_generic_organizations_and_vague_roles_are_no_evidence():
    a = _mention("a", post="Chủ nhiệm Ủy ban", org="Ủy ban")
    b = _mention("b", post="Chủ nhiệm Ủy ban", org="Ủy ban")
    assert len(resolve.cluster([a, b], namesakes=0.5)[0]) == 2
    c = _mention("c", province="hồ chí minh", post="Chủ tịch HĐND TP HCM", org="HĐND TP HCM")
    d = _mention("d", post="Chủ tịch HĐND TP", org="HĐND TP")  # a post with no place named
    groups, joins = resolve.cluster([c, d], namesakes=0.5)
    assert len(groups) == 1 and [j.reason for j in joins] == ["same_post"]


def test_name_rarity_of_a_batch_is_judged_against_the_whole_store():
    from kg.resolve import Mention, NameStats, expected_namesakes

    names = [f"Nguyễn Văn {g}" for g in ("Hùng", "Sơn", "Nam", "Bình", "Dũng", "Minh")] + ["Tất Thành Cang", "Lê Minh Hoan"]
    everyone = [Mention(doc="d", person=str(i), file="f", names={n}) for i, n in enumerate(names)]
    batch = everyone[:1]
    whole = expected_namesakes(everyone)["nguyễn văn hùng"]
    assert expected_namesakes(batch, NameStats.of(n.lower() for n in names))["nguyễn văn hùng"] == whole
    # counted over the batch alone the figure would differ: the batch is not the store
    assert expected_namesakes(batch)["nguyễn văn hùng"] != whole
