"""The report's sentences: the bundled 2020 facts computed and written the Vietnamese (or English) way."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ictanalysis import narrative
from ictanalysis.compare import Comparison, compare
from ictanalysis.quality import QualityResult, RuleResult
from ictanalysis.years import YearPair

REPO = Path(__file__).resolve().parents[1]
SECTIONS = (
    narrative.headline_sentences,
    narrative.postal_sentences,
    narrative.telecom_sentences,
    narrative.egov_sentences,
    narrative.admin_sentences,
)
# Vietnamese numbers: 1.234.567 and 12,5; English: 1,234,567 and 12.5.
VI_THOUSANDS = re.compile(r"\d\.\d{3}(?!\d)")
EN_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")
VI_DECIMAL = re.compile(r"\d,\d{1,2}(?!\d)")
EN_DECIMAL = re.compile(r"\d\.\d{1,2}(?!\d)")


@pytest.fixture(scope="module")
def cmp_2021(third_year_table) -> Comparison:
    """Return 2021 compared with 2020, both written by data/raw/generate.py."""
    return compare(third_year_table, 2021, 2020)


def _text(cmp: Comparison, language: str = "vi") -> str:
    """Return every section's sentences, no-break spaces read as spaces (tests/test_official_style.py checks them)."""
    return _plain(sentence for section in SECTIONS for sentence in section(cmp, language))


def _plain(sentences, separator: str = "\n") -> str:
    return separator.join(sentences).replace("\u00a0", " ")


def _quality() -> dict:
    """Return a gate result with the bundled data's one warning, as QualityResult writes it."""
    row = {"year": 2020, "indicator": "fixed_telephone_subscribers", "area": "584", "operator": "Viettel", "agency": "",
           "value": 0.0, "value_before": 64.0, "change_percent": -100.0, "source_file": "2020/vien-thong-2020.xlsx",
           "source_sheet": "TB cố định - Internet", "source_cell": "D8", "source_file_before": "2019/vien-thong-2019.xlsx",
           "source_sheet_before": "TB cố định - Internet", "source_cell_before": "D8"}  # fmt: skip
    rules = [
        RuleResult("plausible_change", "warning", False, 261, 1, pd.DataFrame([row])),
        RuleResult("value_not_below_range", "error", True, 670),
    ]  # fmt: skip
    return QualityResult(YearPair(2020, 2019), rules, 670).to_json_dict()


# --- the 2020 report's facts --------------------------------------------------------------------

VI_FACTS = [
    "Cổng dịch vụ công trực tuyến của tỉnh cung cấp 555 dịch vụ công trực tuyến mức độ 4, tăng 481 dịch vụ so với năm 2019, "
    "gấp 7,5 lần.",
    "35 điểm cầu hội nghị truyền hình trực tuyến được đưa vào sử dụng trong năm 2020, nâng tổng số lên 47 điểm cầu.",
    "100 % khu vực có dân cư được phủ sóng 4G",
    "ban hành 4 văn bản quy phạm pháp luật, 21 quyết định và 7 kế hoạch",
    "66/66 văn bản chỉ đạo điều hành hoàn thành đúng hạn",
    "4 thủ tục hành chính được tích hợp lên Cổng Dịch vụ công quốc gia",
    "kết nối với Cổng Dịch vụ công quốc gia đạt 30 %",
    "32 thủ tục thuộc lĩnh vực đất đai được liên thông giải quyết ở cấp huyện",
    "toàn tỉnh có 669.065 thuê bao điện thoại di động, tăng 2,1 % so với năm 2019",
    "Mật độ thuê bao di động đạt 112,4 thuê bao/100 dân (năm 2019: 111,0)",
    "Doanh thu dịch vụ viễn thông đạt 1.120,9 tỷ đồng",
    "kết nối 3 cấp chính quyền trong tỉnh",
    "20 bộ, cơ quan ngang bộ và 10 cơ quan thuộc Chính phủ",
]

EN_FACTS = [
    "555 level-4 online public services, 481 more than in 2019",
    "35 video-conference endpoints were brought into use in 2020, bringing the total to 47",
    "4G covered 100% of populated areas",
    "4 legal documents, 21 decisions and 7 plans",
    "66 of 66 directive documents were completed on time",
    "4 procedures were integrated onto the national public-service portal",
    "30% of the province's online public services were connected to the national portal",
    "32 land-administration procedures",
    "669,065 mobile-cellular subscriptions, up 2.1% on 2019",
    "112.4 subscriptions per 100 inhabitants",
    "1,120.9 billion đồng",
]


@pytest.mark.parametrize("fact", VI_FACTS)
def test_vietnamese_facts(cmp, fact):
    assert fact in _text(cmp)


@pytest.mark.parametrize("fact", EN_FACTS)
def test_english_facts(cmp, fact):
    assert fact in _text(cmp, "en")


def test_facts_follow_the_comparison(cmp):
    """The sentence's numbers are the comparison's, not typed in."""
    table = cmp.change_table(["online_services_level4", "videoconference_endpoints"]).set_index("indicator")
    level4, video = table.loc["online_services_level4"], table.loc["videoconference_endpoints"]
    text = _text(cmp)
    assert f"cung cấp {level4['value']:.0f} dịch vụ" in text and f"tăng {level4['change']:.0f} dịch vụ" in text
    assert f"{video['change']:.0f} điểm cầu" in text and f"lên {video['value']:.0f} điểm cầu" in text


def test_headline_opens_with_the_main_results(cmp):
    sentences = narrative.headline_sentences(cmp)
    assert sentences[0].startswith("Cổng dịch vụ công trực tuyến") and len(sentences) == 6
    assert any("669.065 thuê bao" in s for s in sentences)


def test_postal_sentences(cmp):
    text = _plain(narrative.postal_sentences(cmp), " ")
    assert "121 điểm phục vụ bưu chính, tăng 3 điểm so với năm 2019" in text
    assert "2.609.980 bưu gửi, tăng 23,7 %" in text
    assert "VNPost dẫn đầu về doanh thu bưu chính với 54,9 %" in text
    assert "có thêm Giao Hàng Tiết Kiệm" in text


def test_telecom_sentences(cmp):
    text = _plain(narrative.telecom_sentences(cmp), " ")
    assert "14.339 thuê bao, giảm 10,2 % so với năm 2019" in text
    assert "145.866 thuê bao (số liệu của Viettel)" in text
    assert "cao nhất ở thành phố Phan Rang-Tháp Chàm" in text and "thấp nhất ở huyện Bác Ái" in text
    assert "có thêm Vietnamobile" in text
    assert "3G/4G đạt 100 %, không đổi so với năm 2019" in text


# --- language and number formats ----------------------------------------------------------------


def test_vietnamese_uses_comma_decimals_and_dot_thousands(cmp):
    text = _text(cmp)
    assert VI_DECIMAL.search(text) and VI_THOUSANDS.search(text)
    assert not EN_DECIMAL.search(text), EN_DECIMAL.findall(text)
    assert not EN_THOUSANDS.search(text), EN_THOUSANDS.findall(text)
    assert "%" in text and not re.search(r"\d%", text)  # "12,5 %"


def test_english_has_no_vietnamese_number_formatting(cmp):
    text = _text(cmp, "en") + "\n".join(narrative.data_notes(cmp, _quality(), "en"))
    assert EN_DECIMAL.search(text) and EN_THOUSANDS.search(text)
    assert not VI_DECIMAL.search(text), VI_DECIMAL.findall(text)
    assert not VI_THOUSANDS.search(text), VI_THOUSANDS.findall(text)
    assert " %" not in text and "tăng" not in text and "năm" not in text


def test_english_names_places_as_the_gazetteer_does_never_lowered(cmp):
    text = _text(cmp, "en")
    assert "highest in Phan Rang-Thap Cham" in text and "lowest in Bac Ai" in text


def test_vietnamese_has_its_diacritics(cmp):
    text = _text(cmp)
    for word in ("Cổng", "điện thoại", "điểm cầu", "đúng hạn", "phủ sóng", "so với năm", "Ủy ban nhân dân tỉnh"):
        assert word in text


def test_every_sentence_is_a_sentence(cmp):
    for language in ("vi", "en"):
        for section in (*SECTIONS, lambda c, lang: narrative.data_notes(c, _quality(), lang)):
            for sentence in section(cmp, language):
                assert isinstance(sentence, str), sentence
                assert sentence[0].isupper() or sentence[0].isdigit(), sentence
                assert sentence.endswith("."), sentence
                assert "nan" not in sentence.lower().split() and "{" not in sentence, sentence


# --- data notes ---------------------------------------------------------------------------------


def test_notes_list_the_gates_warnings_with_cells(cmp):
    notes = _plain(narrative.data_notes(cmp, _quality())).split("\n")
    warning = next(n for n in notes if n.startswith("Cảnh báo"))
    assert "mức thay đổi so với năm trước" in warning and "1/261 dòng không đạt yêu cầu" in warning
    row = notes[notes.index(warning) + 1]
    assert row.startswith("Thuê bao điện thoại cố định, Bác Ái, Viettel: 64 → 0 (−100,0 %)")
    assert "2019/vien-thong-2019.xlsx › TB cố định - Internet › D8" in row
    assert "2020/vien-thong-2020.xlsx › TB cố định - Internet › D8" in row
    assert not any("Giá trị nằm trong khoảng" in n for n in notes)  # passed rules are not listed


def test_notes_without_a_quality_result(cmp):
    assert narrative.data_notes(cmp, None)[0] == "Báo cáo không kèm kết quả kiểm tra chất lượng số liệu."
    clean_gate = {**_quality(), "rules": [{**r, "success": True} for r in _quality()["rules"]]}
    assert narrative.data_notes(cmp, clean_gate, "en")[0] == "The data passed the quality check (2 rules) without warnings."


def test_notes_say_which_figures_were_derived(cmp):
    notes = "\n".join(narrative.data_notes(cmp, _quality()))
    assert "Số liệu thuê bao điện thoại di động năm 2019 là tổng của thuê bao di động trả trước và thuê bao di động trả sau." in notes
    assert "tổng số liệu do các doanh nghiệp báo cáo" in notes


def test_notes_define_penetration_and_revenue_and_name_sources(cmp):
    notes = "\n".join(narrative.data_notes(cmp, _quality(), "en"))
    assert "divided by population, times 100" in notes and "2020/dan-so-2020.csv" in notes
    assert "statistics office's revenue series" in notes and "never compared" in notes
    assert "statistical yearbook's series" in notes
    for file in cmp.sources():
        assert file in notes


def test_notes_for_another_pair_of_years(cmp):
    notes = narrative.data_notes(cmp, {**_quality(), "year": 2021, "compare_year": 2020})
    assert notes[0] == "Kết quả kiểm tra chất lượng số liệu kèm theo là của năm 2021 so với năm 2020."


# --- any pair of years, missing figures ---------------------------------------------------------


def test_third_year(cmp_2021):
    text = _text(cmp_2021)
    assert "so với năm 2020" in text and "2019" not in text
    level4 = cmp_2021.value("online_services_level4", 2021).value
    assert f"cung cấp {level4:.0f} dịch vụ công trực tuyến mức độ 4, tăng {level4 - 555:.0f} dịch vụ so với năm 2020" in text
    assert "100 % khu vực có dân cư được phủ sóng 4G, không đổi so với năm 2020" in text
    assert "(năm 2020: 66/66)" in text
    english = _text(cmp_2021, "en")
    assert "unchanged from 2020" in english and "2019" not in english


def test_missing_figures_get_a_sentence(table):
    gone = {"videoconference_endpoints", "mobile_prepaid_subscribers", "mobile_subscribers", "legal_documents_drafted",
            "directives_assigned", "online_services_level4", "population", "ministries_connected"}  # fmt: skip
    cmp = compare(table[~((table["year"] == 2020) & table["indicator"].isin(gone))], 2020, 2019)
    text = _text(cmp)
    assert "Chưa có số liệu về điểm cầu hội nghị truyền hình trực tuyến năm 2020." in text
    assert "Chưa có số liệu về thuê bao điện thoại di động năm 2020." in text
    assert "Chưa có số liệu về dịch vụ công trực tuyến mức độ 4 năm 2020." in text
    assert "Chưa có số liệu về bộ, cơ quan ngang bộ kết nối liên thông văn bản năm 2020." in text
    assert "ban hành 21 quyết định và 7 kế hoạch" in text and "Chưa có số liệu về văn bản quy phạm pháp luật" in text
    assert "66 văn bản chỉ đạo điều hành hoàn thành đúng hạn, tăng 8 văn bản so với năm 2019." in text
    english = _text(cmp, "en")
    assert "No figure for video-conference endpoints in operation is available for 2020." in english
    assert narrative.data_notes(cmp, None)


def test_missing_compared_year_says_so(table):
    cmp = compare(table[~((table["year"] == 2019) & (table["indicator"] == "fixed_broadband_subscribers"))], 2020, 2019)
    text = _text(cmp)
    assert "74.810 thuê bao internet băng rộng cố định, chưa có số liệu năm 2019 để so sánh." in text
    assert "no 2019 figure to compare with" in _text(cmp, "en")


def test_a_change_the_reporters_made_is_also_told_like_for_like(cmp):
    vi, en = narrative.headline_sentences(cmp), narrative.headline_sentences(cmp, "en")
    assert ("669.065 thuê bao điện thoại di động, tăng 2,1 % so với năm 2019 (tính riêng các doanh nghiệp báo cáo "
            "cả hai năm: tăng 0,9 %; Vietnamobile báo cáo lần đầu năm 2020).") in _plain(vi)  # fmt: skip
    assert "up 12.5% on 2019 (up 9.2% among the enterprises that reported both years; Giao Hàng Tiết Kiệm" in _plain(en)
    assert not any("tính riêng" in s for s in narrative.egov_sentences(cmp))  # the same agencies both years


def test_a_change_from_zero_is_said_as_such(table):
    from ictanalysis.compare import compare as compare_years
    from ictanalysis.present import change_text

    plans = table[(table["indicator"] == "plans_drafted")].copy()
    plans.loc[plans["year"] == 2019, "value"] = 0.0
    cmp = compare_years(pd.concat([table[table["indicator"] != "plans_drafted"], plans]), 2020, 2019)
    row = cmp.change_table(["plans_drafted"]).iloc[0]
    assert change_text(row) == "từ 0" and change_text(row, "en") == "from 0"
    trend = narrative._trend(cmp, "plans_drafted", *cmp.figures("plans_drafted"), "vi")
    assert trend == "tăng từ 0 (năm 2019)" and "%" not in trend


def test_a_like_for_like_change_from_zero_is_said_and_the_newcomers_still_named(table):
    """The enterprises of both years had no postal revenue the year before: 'tăng từ 0', never a dropped clause."""
    from ictanalysis.compare import compare as compare_years

    changed = table.copy()
    revenue = (changed["indicator"] == "postal_revenue") & (changed["year"] == 2019) & (changed["operator"] != "")
    changed.loc[revenue, "value"] = 0.0
    province = (changed["indicator"] == "postal_revenue") & (changed["year"] == 2019) & (changed["operator"] == "")
    changed.loc[province, "value"] = 0.0
    clause = narrative._like_for_like(compare_years(changed, 2020, 2019), "postal_revenue", "vi")
    assert clause == (" (tính riêng các doanh nghiệp báo cáo cả hai năm: tăng từ 0 (năm 2019); "
                      "Giao Hàng Tiết Kiệm báo cáo lần đầu năm 2020)")  # fmt: skip


# --- what declined: a part of its own, after the sectors --------------------------------------------------------


def test_each_fall_is_said_plainly_with_both_years_figures_the_largest_first(cmp):
    intro, *falls = _plain(narrative.declined_sentences(cmp)).split("\n")
    assert intro == "So với năm 2019, 4 chỉ tiêu giảm, chỉ tiêu giảm nhiều nhất nêu trước."
    assert falls == [
        "Dịch vụ công trực tuyến mức độ 3 giảm 48,9 %, từ 485 thủ tục năm 2019 xuống 248 thủ tục năm 2020.",
        "Kế hoạch tham mưu ban hành giảm 22,2 %, từ 9 văn bản năm 2019 xuống 7 văn bản năm 2020.",
        "Dịch vụ công trực tuyến mức độ 2 giảm 15,7 %, từ 1.201 thủ tục năm 2019 xuống 1.013 thủ tục năm 2020.",
        "Thuê bao điện thoại cố định giảm 10,2 %, từ 15.968 thuê bao năm 2019 xuống 14.339 thuê bao năm 2020.",
    ]
    english = _plain(narrative.declined_sentences(cmp, "en")).split("\n")
    assert english[1] == "Online public services, level 3: down 48.9%, from 485 procedures in 2019 to 248 procedures in 2020."
    for sentence in (intro, *falls, *english):
        assert sentence[0].isupper() and sentence.endswith(".") and "{" not in sentence, sentence


def test_each_fall_is_a_paragraph_of_its_own_and_the_notes_open_with_them(cmp):
    declined = narrative.paragraphs("declined", cmp)
    assert [len(group) for group in declined] == [1] * 5
    assert narrative.paragraphs("notes", cmp, quality_json=_quality())[:5] == declined


def test_a_rate_that_fell_is_said_in_points_with_both_rates(table):
    rows = table[~((table["indicator"] == "coverage_4g_population") & (table["year"] == 2020))]
    fell = table[(table["indicator"] == "coverage_4g_population") & (table["year"] == 2020)].assign(value=97.0)
    said = _plain(narrative.declined_sentences(compare(pd.concat([rows, fell]), 2020, 2019)))
    assert "giảm 1,5 điểm phần trăm, từ 98,5 % năm 2019 xuống 97 % năm 2020." in said, said


def test_the_report_says_what_fell_after_the_sectors_and_nothing_twice(cmp):
    """Where a section of its own says what fell (before the notes), the notes no longer say it."""
    from ictanalysis.contents import Section, load_contents
    from ictanalysis.view import ReportView

    contents = load_contents()
    ids = [s.id for s in contents.sections]
    if "declined" not in ids:  # catalog/report.yaml declares it once the notebook has its cell
        at = ids.index("notes")
        sections = (*contents.sections[:at], Section(id="declined", sentences="declined"), *contents.sections[at:])
        contents = contents.model_copy(update={"sections": sections})
    told = ReportView(cmp, quality=_quality(), contents=contents).told
    order = [s.id for s in contents.sections]
    assert order.index("declined") > max(order.index(s) for s in ("headline", "postal", "telecom", "egov", "admin"))
    assert order.index("declined") < order.index("notes")
    declined = [s for group in told["declined"][1] for s in group]
    assert declined == narrative.declined_sentences(cmp)
    every = [s for absence, groups in told.values() for s in (*absence, *(s for g in groups for s in g))]
    assert len(every) == len(set(every)) > 40
    assert not set(declined) & {s for group in told["notes"][1] for s in group}
