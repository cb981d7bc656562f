"""Where a holding stands (FORMAT.md `status`), through the public extractor, on sentences
written for these tests in the genre."""

from __future__ import annotations

import pytest

from kg.extract import extract
from kg.ingest import content_hash
from kg.model import Document
from kg.normalize import normalize


def _facts(text: str):
    doc = Document(doc_id="t.txt", text=text, content_hash=content_hash(text), source="t.txt")
    return extract(normalize(doc))


def _statuses(text: str) -> dict[tuple[str, str], str]:
    facts = _facts(text)
    return {(h.person, h.position): h.status for h in facts.holdings}


def _status(text: str, person: str, position_start: str) -> str:
    found = {k: v for k, v in _statuses(text).items() if k[0] == person and k[1].lower().startswith(position_start.lower())}
    assert len(found) == 1, _statuses(text)
    return next(iter(found.values()))


def test_concurrent_post_elected_with_kiem_starts():
    text = ("Sáng 12/5, HĐND tỉnh Hà Nam khóa XIX họp bất thường. Kỳ họp đã bầu bổ sung Bí thư Tỉnh ủy "
            "Lê Văn Toàn kiêm chức danh Chủ tịch HĐND tỉnh Hà Nam nhiệm kỳ 2021 - 2026.")
    assert _status(text, "Lê Văn Toàn", "Chủ tịch HĐND") == "starts"
    assert _status(text, "Lê Văn Toàn", "Bí thư Tỉnh ủy") == "current"


def test_post_still_held_is_current_not_an_appointment():
    text = ("Sở Xây dựng tỉnh Phú Thọ còn 3 phó giám đốc. Ông Trần Văn Bình được điều động sang Sở Tài chính; "
            "còn ông Hoàng Minh Đức chỉ giữ chức Giám đốc Trung tâm Quy hoạch tỉnh Phú Thọ.")
    assert _status(text, "Hoàng Minh Đức", "Giám đốc Trung tâm Quy hoạch") == "current"


def test_nguyen_post_ends_when_the_article_reports_the_move():
    text = ("Ngày 3/4, Tỉnh ủy Nam Định tổ chức hội nghị bầu Bí thư Tỉnh ủy thay cho ông Đặng Văn Hòa, "
            "người vừa được Bộ Chính trị điều động nhận nhiệm vụ mới. "
            "Nguyên Bí thư Tỉnh ủy Nam Định Đặng Văn Hòa tặng hoa chúc mừng tân Bí thư.")
    assert _status(text, "Đặng Văn Hòa", "Bí thư Tỉnh ủy") == "ends"


def test_nguyen_post_stays_former_without_a_reported_change():
    text = ("Ngày 3/4, Hội Cựu chiến binh tỉnh Nam Định tổ chức đại hội. Dự đại hội có ông Đặng Văn Hòa, "
            "nguyên Bí thư Tỉnh ủy Nam Định, và ông Lê Quang Hưng, Chủ tịch UBND tỉnh Nam Định.")
    assert _status(text, "Đặng Văn Hòa", "Bí thư Tỉnh ủy") == "former"
    assert _status(text, "Lê Quang Hưng", "Chủ tịch UBND") == "current"


def test_posts_named_by_the_time_they_were_held_are_former():
    text = ("Ủy ban Kiểm tra Trung ương kết luận: trong thời gian giữ các cương vị Tỉnh ủy viên, Giám đốc Sở "
            "Tài chính tỉnh Long An, ông Phạm Văn Khải đã ký nhiều văn bản sai quy định.")
    assert _status(text, "Phạm Văn Khải", "Giám đốc Sở Tài chính") == "former"


@pytest.mark.parametrize("group", ["Ban cán sự đảng", "Đảng đoàn"])
def test_agency_party_group_ends_with_the_move_out_of_the_agency(group):
    text = (f"Ban Bí thư chỉ định đồng chí Trịnh Quốc Bảo - Ủy viên {group}, Thứ trưởng Bộ Công Thương "
            "tham gia Ban Chấp hành, Ban Thường vụ và giữ chức Phó Bí thư Tỉnh ủy Bắc Kạn, nhiệm kỳ 2020 - 2025. "
            "Đồng chí Trịnh Quốc Bảo được điều động về công tác tại tỉnh Bắc Kạn.")
    assert _status(text, "Trịnh Quốc Bảo", "Thứ trưởng") == "ends"
    assert _status(text, "Trịnh Quốc Bảo", f"Ủy viên {group}") == "ends"
    assert _status(text, "Trịnh Quốc Bảo", "Phó Bí thư Tỉnh ủy") == "starts"


def test_joining_the_executive_and_standing_committees_are_posts_that_start():
    text = ("Ngày 5/3, Ban Thường vụ Tỉnh ủy Thái Bình điều động đồng chí Vũ Thanh Hải, Phó Chánh Văn phòng Tỉnh ủy, "
            "đến nhận công tác tại Huyện ủy Kiến Xương; chỉ định tham gia Ban Chấp hành, Ban Thường vụ Huyện ủy "
            "và giữ chức Bí thư Huyện ủy Kiến Xương nhiệm kỳ 2020 - 2025.")
    found = _statuses(text)
    assert found[("Vũ Thanh Hải", "Bí thư Huyện ủy Kiến Xương")] == "starts"
    members = {pos: st for (person, pos), st in found.items() if person == "Vũ Thanh Hải" and pos.startswith("Ủy viên")}
    assert members == {"Ủy viên Ban Chấp hành Đảng bộ huyện Kiến Xương": "starts",
                       "Ủy viên Ban Thường vụ Huyện ủy Kiến Xương": "starts"}, found


def test_a_city_official_appointed_into_a_district_committee_keeps_the_city_posts():
    text = ("Theo đó, ông Lưu Văn Tâm, Ủy viên Ban Thường vụ, Trưởng Ban Dân vận Thành ủy Cần Thơ được chỉ định vào "
            "Ban Chấp hành, Ban Thường vụ Quận ủy, giữ chức danh Bí thư Quận ủy Ninh Kiều nhiệm kỳ 2020 - 2025.")
    assert _status(text, "Lưu Văn Tâm", "Bí thư Quận ủy Ninh Kiều") == "starts"
    assert _status(text, "Lưu Văn Tâm", "Trưởng Ban Dân vận") == "current"
    assert _status(text, "Lưu Văn Tâm", "Ủy viên Ban Thường vụ Quận ủy") == "starts"


def test_a_deputy_minister_sent_to_a_province_leaves_the_ministry():
    text = ("Ban Bí thư chỉ định đồng chí Hồ Văn Niên, Thứ trưởng Bộ Tài chính giữ chức Phó Bí thư Tỉnh ủy Gia Lai "
            "nhiệm kỳ 2020 - 2025.")
    assert _status(text, "Hồ Văn Niên", "Thứ trưởng") == "ends"
    assert _status(text, "Hồ Văn Niên", "Phó Bí thư Tỉnh ủy") == "starts"


def test_the_official_who_approves_an_appointment_keeps_the_post():
    text = ("Sáng 2/6, UBND tỉnh Bình Phước công bố quyết định của Thủ tướng Phạm Minh Chính phê chuẩn 2 Phó Chủ tịch "
            "UBND tỉnh gồm các ông: Trần Tuyết Minh, Huỳnh Anh Minh.")
    assert _status(text, "Phạm Minh Chính", "Thủ tướng") == "current"
    assert _status(text, "Trần Tuyết Minh", "Phó Chủ tịch UBND") == "starts"


def test_a_bare_deputy_minister_takes_the_ministry_of_the_delegation():
    text = ("Ngày 12/9, đoàn công tác của Bộ Tài nguyên và Môi trường do Thứ trưởng Lê Công Thành làm trưởng đoàn "
            "đã làm việc với UBND tỉnh Ninh Thuận. Thứ trưởng Lê Công Thành đề nghị tỉnh quản lý chặt tài nguyên cát.")
    assert _status(text, "Lê Công Thành", "Thứ trưởng Bộ Tài nguyên và Môi trường") == "current"


def test_a_bare_deputy_minister_stays_without_a_post_when_the_ministry_is_unclear():
    text = ("Ngày 12/9, Thứ trưởng Lê Công Thành làm việc với lãnh đạo Bộ Y tế và Bộ Tài chính về dự án.")
    assert not [k for k in _statuses(text) if k[0] == "Lê Công Thành"]


def test_elected_or_dismissed_with_doi_voi_and_a_rank_before_the_name():
    text = ("Kỳ họp cũng bầu bổ sung chức danh Phó Chủ tịch UBND tỉnh Quảng Bình đối với bà Trần Thị Hòa. "
            "Đồng thời, HĐND tỉnh miễn nhiệm chức danh Ủy viên UBND tỉnh Quảng Bình đối với Đại tá Lê Văn Dũng, "
            "Giám đốc Công an tỉnh.")
    assert _status(text, "Trần Thị Hòa", "Phó Chủ tịch UBND") == "starts"
    assert _status(text, "Lê Văn Dũng", "Ủy viên UBND") == "ends"


def _counts(text: str) -> set[tuple[str, str, int]]:
    return {(c.org, c.what, c.value) for c in _facts(text).counts}


def test_counts_listed_after_one_verb_and_the_short_name_of_the_organization():
    text = ("Sáng 9/1, Đảng ủy Khối Doanh nghiệp tỉnh Tây Ninh tổ chức hội nghị tổng kết công tác năm 2023. "
            "Hiện Đảng bộ Khối có 12 đảng bộ trực thuộc, 61 tổ chức cơ sở đảng và 3.105 đảng viên. "
            "Trong năm, Ủy ban Kiểm tra đã kiểm tra 14 tổ chức đảng và 52 đảng viên.")
    found = _counts(text)
    assert ("Đảng bộ Khối Doanh nghiệp tỉnh Tây Ninh", "party_cells", 61) in found, found
    assert ("Đảng bộ Khối Doanh nghiệp tỉnh Tây Ninh", "party_members", 3105) in found, found
    assert not [c for c in found if c[2] == 52]


def test_a_list_of_retirees_after_a_colon_leaves_every_post():
    text = ("Chiều 30/6, Ban Thường vụ Tỉnh ủy Phú Thọ trao quyết định nghỉ hưu. Theo quyết định, các đồng chí được "
            "nghỉ hưu theo chế độ từ ngày 1/7/2023 gồm: đồng chí Hà Văn Tâm, Tỉnh ủy viên, Phó Chủ tịch HĐND tỉnh; "
            "đồng chí Đinh Thị Lan, Phó Giám đốc Sở Lao động - Thương binh và Xã hội.")
    found = _statuses(text)
    assert found[("Hà Văn Tâm", "Phó Chủ tịch HĐND tỉnh Phú Thọ")] == "ends"
    assert [s for (p, pos), s in found.items() if p == "Hà Văn Tâm" and "viên" in pos] == ["ends"], found
    assert found[("Đinh Thị Lan", "Phó Giám đốc Sở Lao động - Thương binh và Xã hội tỉnh Phú Thọ")] == "ends", found


def test_acting_head_given_to_a_deputy():
    text = ("Ngày 29/6, Chủ tịch UBND tỉnh Bắc Giang Lê Ánh Dương ký quyết định giao quyền Giám đốc Sở Y tế "
            "cho đồng chí Lê Văn Sơn, Phó Giám đốc Sở.")
    assert _status(text, "Lê Văn Sơn", "quyền Giám đốc Sở Y tế") == "starts"
    assert _status(text, "Lê Ánh Dương", "Chủ tịch UBND") == "current"


def test_a_ward_named_after_an_old_province_is_a_ward():
    text = ("Trong hai ngày 9 và 10-8, Đảng bộ phường Hà Nam tổ chức Đại hội lần thứ I, nhiệm kỳ 2025 - 2030. "
            "Phường Hà Nam thuộc tỉnh Ninh Bình mới, được thành lập trên cơ sở các phường cũ của thành phố Phủ Lý (cũ). "
            "Đồng chí Trần Văn Khải, Bí thư Đảng ủy phường phát biểu khai mạc Đại hội.")
    facts = _facts(text)
    assert facts.province == "Ninh Bình"
    assert [h.position for h in facts.holdings if h.person == "Trần Văn Khải"][0].startswith("Bí thư Đảng ủy phường Hà Nam")


def test_posts_a_body_is_said_to_have_and_an_age_between_name_and_title():
    text = ("Ông Trần Minh Hải, 49 tuổi, Giám đốc Sở Tài chính, được HĐND tỉnh Hưng Yên bầu làm phó chủ tịch UBND "
            "tỉnh. Với việc bầu bổ sung, UBND tỉnh Hưng Yên hiện có chủ tịch là ông Nguyễn Văn Phong và ba phó chủ "
            "tịch: ông Lê Văn Hiệu, bà Đỗ Thị Thu và ông Hải.")
    found = _statuses(text)
    assert found[("Trần Minh Hải", "Giám đốc Sở Tài chính tỉnh Hưng Yên")] == "ends", found
    assert found[("Nguyễn Văn Phong", "chủ tịch UBND tỉnh Hưng Yên")] == "current", found
    assert found[("Đỗ Thị Thu", "phó chủ tịch UBND tỉnh Hưng Yên")] == "current", found


def test_acting_head_replacing_a_retiree_and_the_delegating_official():
    text = ("Thừa ủy quyền của Thủ tướng Chính phủ, Thứ trưởng Bộ Nội vụ Trần Anh Tuấn công bố quyết định. "
            "Bộ trưởng giao ông Lê Văn Nam, Phó Cục trưởng Cục Chăn nuôi, giữ chức Quyền Cục trưởng Cục Chăn nuôi "
            "thay ông Đỗ Văn Tâm, Cục trưởng, nghỉ hưu theo chế độ.")
    found = _statuses(text)
    assert not [k for k in found if k[0] == "Trần Anh Tuấn" and "Thủ tướng" in k[1]], found
    assert found[("Lê Văn Nam", "Quyền Cục trưởng Cục Chăn nuôi")] == "starts", found
    assert found[("Đỗ Văn Tâm", "Cục trưởng Cục Chăn nuôi")] == "ends", found


def _events(text: str) -> set[tuple[str, str | None]]:
    return {(e.kind, e.date) for e in _facts(text).events}


def test_an_earlier_dated_happening_is_an_event_of_its_own():
    text = ("Lạng Sơn, 14/9/2023 (TTXVN) - Ngày 14/9, Đoàn kiểm tra của Ban Bí thư do đồng chí Lê Văn An làm Trưởng đoàn "
            "đã làm việc với Ban Thường vụ Tỉnh ủy Lạng Sơn. Trước đó, ngày 12/9, đồng chí Phạm Minh Hòa, Phó Trưởng đoàn "
            "đã đi khảo sát thực tế tại huyện Cao Lộc.")
    assert _events(text) == {("working_session", "2023-09-14"), ("visit", "2023-09-12")}


def test_an_event_named_as_a_purpose_or_a_venue_is_not_the_event():
    text = ("Sáng 11/10, Đoàn đại biểu Quốc hội tỉnh Bạc Liêu tổ chức hội nghị tiếp xúc cử tri trước kỳ họp thứ 4, "
            "Quốc hội khóa XIV tại huyện Hòa Bình. Ông Lê Văn Tư, Chủ tịch Ủy ban MTTQ huyện chủ trì hội nghị.")
    assert _events(text) == {("conference", "2017-10-11")} or {k for k, _ in _events(text)} == {"conference"}
    text = ("Chiều 17-5, tại Trung tâm Hội nghị thành phố, Ban Thường vụ Thành ủy Hải Phòng tổ chức lễ trao Huy hiệu "
            "Đảng cho 7 đồng chí nguyên lãnh đạo thành phố.")
    assert {k for k, _ in _events(text)} == {"ceremony"}


def test_the_province_of_an_article_that_names_only_its_district():
    text = ("ĐBP - Trong 2 ngày (5 và 6-8), Đảng bộ huyện Mường Ảng tổ chức Đại hội đại biểu lần thứ XXII, nhiệm kỳ "
            "2020 - 2025. Đồng chí Lò Văn Thanh, Phó Chủ tịch UBND tỉnh dự và phát biểu chỉ đạo.")
    facts = _facts(text)
    assert facts.province == "Điện Biên"
    assert [h.position for h in facts.holdings if h.person == "Lò Văn Thanh"] == ["Phó Chủ tịch UBND tỉnh Điện Biên"]
