"""The report's sentences, written from a :class:`~ictanalysis.compare.Comparison`.

Each section function returns a list of sentences in the register of a
provincial department's annual report (Vietnamese by default, English with
``language="en"``), grouped in paragraphs (:func:`paragraphs`). Every number in
them is computed from the tidy table by :mod:`ictanalysis.compare` and written
by :mod:`ictanalysis.formatting`, joined to its unit by a no-break space; a figure
at least :data:`MULTIPLE` times the compared year's is said as a multiple ("gấp
7,5 lần"), a fall as one ("giảm 48,9 %"); a figure the table lacks gives a
sentence saying so, not an error. An indicator replaced from the report year on (level 4 by "toàn
trình" from 2022, ``replaces`` in the catalog) is spoken of as its successor, in the successor's own
words; a figure of the compared year under the earlier definition is said to be one, a successor not
comparable with what it replaced is said not to be compared, and the data notes say how the two correspond.

Example:
    >>> from pathlib import Path
    >>> from ictanalysis.compare import compare
    >>> from ictanalysis.ingest import clean
    >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
    >>> print(admin_sentences(cmp)[1].replace("\xa0", " "))
    66/66 văn bản chỉ đạo điều hành hoàn thành đúng hạn, đạt 100 % (năm 2019: 58/60).
"""

from __future__ import annotations

import math

from ictanalysis.compare import EARLIER_DEFINITION, TREND_MIN_YEARS, Comparison, Figure, percent_change, trend
from ictanalysis.contents import load_contents
from ictanalysis.formatting import (
    bind_units,
    format_money,
    format_number,
    format_percent,
    format_quantity,
    format_times,
)
from ictanalysis.present import named
from ictanalysis.quality import describe_rule
from ictanalysis.tidy import SOURCE_SEPARATOR, source_of
from ictanalysis.words import DEFAULT_LANGUAGE, words

__all__ = [
    "absence_sentence",
    "admin_sentences",
    "data_notes",
    "declined_sentences",
    "egov_sentences",
    "headline_sentences",
    "multiple",
    "paragraphs",
    "postal_sentences",
    "sentences",
    "telecom_sentences",
    "trend_sentences",
]

MAX_NOTE_ROWS = 10
#: A figure at least this many times the compared year's is said as a multiple: "gấp 7,5 lần".
MULTIPLE = 2.0
#: The nouns of the counts the sentences give ("tăng 481 dịch vụ"): narrative.count.<noun>.
_NOUNS = ("services", "points", "stations", "procedures", "endpoints", "documents")


def headline_sentences(cmp: Comparison, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Return the summary that opens the report: the main results of the year.

    >>> from pathlib import Path
    >>> from ictanalysis.compare import compare
    >>> from ictanalysis.ingest import clean
    >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
    >>> print(headline_sentences(cmp)[0].replace("\xa0", " "))
    Cổng dịch vụ công trực tuyến của tỉnh cung cấp 555 dịch vụ công trực tuyến mức độ 4, tăng 481 dịch vụ so với năm 2019, gấp 7,5 lần.
    """
    return [
        _indicator_sentence(cmp, cmp.current("online_services_level4"), language, "services"),
        _video_sentence(cmp, language),
        _indicator_sentence(cmp, "coverage_4g_population", language),
        _indicator_sentence(cmp, "mobile_subscribers", language),
        _indicator_sentence(cmp, "telecom_revenue", language),
        _indicator_sentence(cmp, "postal_revenue", language),
    ]


def postal_sentences(cmp: Comparison, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Return the sentences on postal service points, items and revenue, and the enterprises."""
    sentences = [
        _indicator_sentence(cmp, "postal_service_points", language, "points"),
        _indicator_sentence(cmp, "postal_items", language),
        _indicator_sentence(cmp, "postal_revenue", language),
    ]
    return sentences + _member_sentences(cmp, "postal_revenue", language)


def telecom_sentences(cmp: Comparison, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Return the sentences on subscribers, density, infrastructure, coverage and revenue."""
    return [s for group in _telecom_groups(cmp, language) for s in group]


def _telecom_groups(cmp: Comparison, language: str) -> list[list[str]]:
    """Return the telecom paragraphs: mobile subscribers; fixed and broadband; infrastructure and coverage; revenue."""
    mobile = [_indicator_sentence(cmp, "mobile_subscribers", language), *_density_sentences(cmp, language)]
    mobile += _member_sentences(cmp, "mobile_subscribers", language)
    fixed = [_indicator_sentence(cmp, indicator, language, who=_who(cmp, indicator, language))
             for indicator in ("fixed_telephone_subscribers", "fixed_broadband_subscribers", "mobile_broadband_subscribers")]  # fmt: skip
    network = [_indicator_sentence(cmp, indicator, language, "stations") for indicator in ("bts_stations", "bts_4g_stations")]
    network += [_indicator_sentence(cmp, indicator, language) for indicator in ("coverage_4g_population", "coverage_3g4g_population")]
    revenue = [_indicator_sentence(cmp, "telecom_revenue", language), *_member_sentences(cmp, "telecom_revenue", language)[:1]]
    return [mobile, fixed, network, revenue]


def egov_sentences(cmp: Comparison, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Return the sentences on online public services, interconnection and video conferencing."""
    return [s for group in _egov_groups(cmp, language) for s in group]


def _egov_groups(cmp: Comparison, language: str) -> list[list[str]]:
    """Return the e-government paragraphs: online services by level; the national portal; interconnection and video."""
    services = [_indicator_sentence(cmp, cmp.current("online_services_level4"), language, "services")]
    services += [_indicator_sentence(cmp, cmp.current(f"online_services_level{n}"), language) for n in (3, 2)
                 if cmp.value(cmp.current(f"online_services_level{n}"), cmp.year).available]  # fmt: skip
    services += _top_agency_sentence(cmp, language)
    portal = [_indicator_sentence(cmp, "national_portal_procedures", language, "procedures"),
              _indicator_sentence(cmp, "national_portal_share", language),
              _indicator_sentence(cmp, "interconnected_land_procedures", language, "procedures")]  # fmt: skip
    exchange = [_interconnection_sentence(cmp, language), _indicator_sentence(cmp, "edocuments_exchanged", language),
                _video_sentence(cmp, language)]  # fmt: skip
    return [services, portal, exchange]


def declined_sentences(cmp: Comparison, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Say how many of the figures the report speaks of fell from the compared year, then each, the largest fall first.

    Each fall is said plainly with both years' figures: "Dịch vụ công trực tuyến mức độ 3 giảm 48,9 %, từ
    … năm 2019 xuống … năm 2020"; a rate's fall is in percentage points. Without any, one sentence says none fell.
    """
    falls = []
    for indicator in _reported(cmp):
        before, now = cmp.figures(indicator)
        if before.available and now.available and now.value < before.value:
            falls.append((percent_change(before.value, now.value), indicator, before.value, now.value))
    if not falls:
        return [_t("declined_none", language).format(cy=cmp.compare_year)]
    items = [_t("declined_item", language).format(
        name=_capitalise(_name(cmp, indicator, language)), change=_fall(cmp, indicator, relative, now - before, language),
        before=_quantity(cmp, indicator, before, language), value=_quantity(cmp, indicator, now, language),
        cy=cmp.compare_year, year=cmp.year) for relative, indicator, before, now in sorted(falls)]  # fmt: skip
    return [_t("declined", language).format(cy=cmp.compare_year, n=len(items)), *items]


def _fall(cmp: Comparison, indicator: str, relative: float, change: float, language: str) -> str:
    """Say a fall: "giảm 48,9 %", or in points for a rate ("giảm 1,5 điểm phần trăm")."""
    if cmp.indicator(indicator).unit == "%":
        return _t("fall", language).format(amount=f"{format_number(abs(change), language, 1)} {_t('points', language)}")
    return _t("fall", language).format(amount=format_percent(abs(relative), language))


def _quantity(cmp: Comparison, indicator: str, value: float, language: str) -> str:
    """Write a figure with its unit: money in tỷ/triệu đồng, a rate with %, a count with its unit's name."""
    unit = cmp.indicator(indicator).unit
    if unit in ("đồng", "%"):
        return _amount(cmp, indicator, value, language)
    return format_quantity(value, words(language).unit(cmp.catalog.units[unit]), language)


def admin_sentences(cmp: Comparison, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Return the sentences on the documents the department drafted and its directives."""
    return [_drafted_sentence(cmp, language), _directives_sentence(cmp, language)]


def trend_sentences(cmp: Comparison, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Return, for each series the report draws over the years, its average annual growth over the period.

    Only series with figures in at least :data:`~ictanalysis.compare.TREND_MIN_YEARS` years up to the
    report year; the period runs from the first to the last of them, and the years in it without a
    figure are named. Without any such series, one sentence says there is no trend to show.
    """
    contents = load_contents()
    indicators = [cmp.current(i) for name, chart in contents.charts.items() if chart.kind == "trend_lines"
                  for i in contents.trend_indicators(name)]  # fmt: skip
    table = trend(cmp, dict.fromkeys(indicators))
    if table.empty:
        return [_t("trend_none", language).format(n=TREND_MIN_YEARS, year=cmp.year)]
    return [_trend_sentence(cmp, row, language) for row in table.to_dict("records")]


def _trend_sentence(cmp: Comparison, row: dict, language: str) -> str:
    """Write "… bình quân tăng 14,8 %/năm giai đoạn 2015–2020 (từ … năm 2015 đến … năm 2020; …)"."""
    indicator, growth = row["indicator"], row["growth_percent"]
    gap = _t("trend_gap", language).format(years=_join([str(y) for y in row["missing_years"]], language))
    fields = {"name": words(language).indicator(cmp.indicator(indicator)), "first_year": row["first_year"],
              "last_year": row["last_year"], "first": _amount(cmp, indicator, row["first"], language),
              "last": _amount(cmp, indicator, row["last"], language), "gap": gap if row["missing_years"] else ""}  # fmt: skip
    if math.isnan(growth):  # a rate, or a series from zero: its two ends only
        return _t("trend_ends", language).format(**fields)
    rate = format_percent(abs(growth), language)
    change = (_t("trend_level", language) if round(growth, 1) == 0
              else _t("up_per_year" if growth > 0 else "down_per_year", language).format(rate=rate))  # fmt: skip
    return _t("trend", language).format(change=change, **fields)


def absence_sentence(domains, years, language: str = DEFAULT_LANGUAGE) -> str:
    """Say that the years hold no figure of the domains: "Năm 2018 không có số liệu bưu chính."

    >>> absence_sentence(["postal"], [2018]), absence_sentence(["telecom", "internet"], [2018, 2020], "en")
    ('Năm 2018 không có số liệu bưu chính.', 'There are no telecommunications and internet figures for 2018 and 2020.')
    """
    said = words(language)
    names = {"postal": "report.domain.postal", "telecom": "report.domain.telecom", "internet": "report.domain.internet",
             "egov": "report.domain.egov", "admin": "report.domain.admin", "population": "report.domain.population"}  # fmt: skip
    domains_said = _join([said(names[d]) for d in domains], language)
    return said("report.absent", domains=domains_said, years=_join([str(y) for y in years], language))


def data_notes(cmp: Comparison, quality_json: dict | None = None, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """Return the data notes: the quality gate's findings, derived figures, definitions, sources.

    `quality_json` is :meth:`ictanalysis.quality.QualityResult.to_json_dict`'s
    result (or its JSON read back); each warning is listed with the
    cells it concerns.
    """
    notes = _quality_notes(cmp, quality_json, language)
    notes += _derivation_notes(cmp, language)
    if cmp.districts() and cmp.districts()[0].startswith("~"):  # districts one year, communes the other
        notes.append(_t("comparable_areas", language).format(year=cmp.year, cy=cmp.compare_year))
    notes += _definition_notes(cmp, language)
    files = "; ".join(cmp.sources())
    return notes + [_t("sources", language).format(files=files)]


def sentences(name: str, cmp: Comparison, language: str = DEFAULT_LANGUAGE, quality_json: dict | None = None) -> list[str]:
    """Return the set of sentences a section names (see :data:`ictanalysis.contents.SENTENCES`).

    `quality_json` is for the data notes (``notes``) only.
    """
    return [s for group in paragraphs(name, cmp, language, quality_json) for s in group]


def paragraphs(name: str, cmp: Comparison, language: str = DEFAULT_LANGUAGE,
               quality_json: dict | None = None) -> list[list[str]]:  # fmt: skip
    """Return the sentences `name` grouped in the paragraphs a report writes them in, numbers bound to units.

    The telecom and e-government sentences are a paragraph per subject; what fell
    (:func:`declined_sentences`) and the data notes a paragraph per sentence, the notes opening with what
    fell (a section of its own that says it first takes it from them: see :attr:`ictanalysis.view.ReportView.told`);
    every other set is one paragraph.
    """
    if name in ("notes", "declined"):
        groups = [[sentence] for sentence in declined_sentences(cmp, language)]
        groups += [[note] for note in data_notes(cmp, quality_json, language)] if name == "notes" else []
    elif name in ("telecom", "egov"):
        groups = (_telecom_groups if name == "telecom" else _egov_groups)(cmp, language)
    else:
        written = {"headline": headline_sentences, "postal": postal_sentences, "admin": admin_sentences,
                   "trend": trend_sentences}  # fmt: skip
        groups = [written[name](cmp, language)]
    units = _unit_words(cmp, language)
    return [[bind_units(s, units) for s in group] for group in groups]


def _unit_words(cmp: Comparison, language: str) -> tuple[str, ...]:
    """Return the words a number is joined to: the catalog's units, money, counts' nouns, "lần", points."""
    said = words(language)
    units = [said.unit(unit) for unit in cmp.catalog.units.values()]
    units += [said(key) for key in ("money.billion", "money.million", "money.dong", "narrative.points")]
    units += [said(f"narrative.count.{noun}", number="").strip() for noun in _NOUNS]
    return (*units, said("number.times", number="").strip())


# --- words and numbers ---------------------------------------------------------------------


def _t(key: str, language: str) -> str:
    """Return the sentence template `key` (``narrative.<key>`` in the words of `language`), unfilled."""
    return words(language)(f"narrative.{key}")


def _name(cmp: Comparison, indicator: str, language: str) -> str:
    """Return an indicator's name for the middle of a sentence, without its bracket.

    "Trạm thu phát sóng (BTS)" is "trạm thu phát sóng"; "BTS" stays upper case.
    """
    name = words(language).indicator(cmp.indicator(indicator)).split(" (")[0]
    return _lower_first(name)


def _lower_first(text: str) -> str:
    """Lower the first letter unless the word is an abbreviation ("BTS", "4G").

    >>> _lower_first("Thuê bao di động"), _lower_first("BTS 4G"), _lower_first("Huyện Bác Ái")
    ('thuê bao di động', 'BTS 4G', 'huyện Bác Ái')
    """
    head = text.split(" ", 1)[0]
    return text if head.isupper() or not head[:1].isupper() else text[:1].lower() + text[1:]


def _amount(cmp: Comparison, indicator: str, value: float, language: str) -> str:
    """Write a figure as its unit asks: money in tỷ/triệu đồng, percentages with %, counts plain."""
    unit = cmp.indicator(indicator).unit
    if unit == "đồng":
        return format_money(value, language)
    if unit == "%":
        return format_percent(value, language, decimals=None)
    return format_number(value, language)


def _trend(cmp: Comparison, indicator: str, before: Figure, now: Figure, language: str, noun: str = "") -> str:
    """Say how a figure changed: "tăng 2,1 % so với năm 2019", "tăng 481 dịch vụ …", "không đổi …".

    Percentages change by points; counts given a `noun` by how many; the rest in percent. A figure
    at least :data:`MULTIPLE` times the compared year's also says how many times ("gấp 7,5 lần").
    A compared figure under the earlier definition is said to be one; a successor not comparable
    with what it replaced is said not to be compared.
    """
    replaces = cmp.indicator(indicator).replaces
    if not before.available and replaces is not None and not replaces.comparable and cmp.compare_year < replaces.since:
        return _t("not_comparable", language).format(cy=cmp.compare_year)
    said = _change_said(cmp, indicator, before, now, language, noun)
    if before.how != EARLIER_DEFINITION:
        return said
    earlier = _name(cmp, replaces.indicator, language)
    return said + _t("earlier_definition", language).format(cy=cmp.compare_year, name=earlier)


def _change_said(cmp: Comparison, indicator: str, before: Figure, now: Figure, language: str, noun: str) -> str:
    """Say how a figure changed (see :func:`_trend`), whatever the definitions of the two years."""
    cy = cmp.compare_year
    if not before.available:
        return _t("no_before", language).format(cy=cy)
    change = now.value - before.value
    if cmp.indicator(indicator).unit == "%":
        amount = f"{format_number(abs(change), language, 1)} {_t('points', language)}"
        return _direction(change, amount, language, cy, ("up", "down"))
    if before.value == 0 and change > 0:
        return _t("from_zero", language).format(cy=cy)
    relative, ratio = percent_change(before.value, now.value), _times(before, now, cmp.indicator(indicator).unit)
    if noun or math.isnan(relative):
        number = format_number(abs(change), language)
        amount = words(language)(f"narrative.count.{noun}", number=number) if noun else number
        said = (_t("more_times", language).format(amount=amount, cy=cy, ratio=format_times(ratio, language))
                if not math.isnan(ratio) else _direction(change, amount, language, cy, ("more", "fewer")))  # fmt: skip
        return said + _like_for_like(cmp, indicator, language, noun)
    if not math.isnan(ratio):
        return _t("times", language).format(ratio=format_times(ratio, language), cy=cy) + _like_for_like(cmp, indicator, language)
    trend = _direction(round(relative, 1), format_percent(abs(relative), language), language, cy, ("up", "down"))
    return trend + _like_for_like(cmp, indicator, language)


def multiple(cmp: Comparison, indicator: str) -> float:
    """Return how many times the compared year's figure the report year's is, when it is said as a multiple.

    That is when it is at least :data:`MULTIPLE` times a figure above zero, and not a rate (a rate changes
    by points); NaN otherwise. The sentences and the summary's tiles say it in the same words ("gấp 7,5 lần").

    >>> from pathlib import Path
    >>> from ictanalysis.compare import compare
    >>> from ictanalysis.ingest import clean
    >>> cmp = compare(clean(Path("data/raw"), out_dir=None).table, 2020, 2019)
    >>> round(multiple(cmp, "online_services_level4"), 2), multiple(cmp, "mobile_subscribers")
    (7.5, nan)
    """
    return _times(*cmp.figures(indicator), cmp.indicator(indicator).unit)


def _times(before: Figure, now: Figure, unit: str) -> float:
    if not (before.available and now.available) or before.value <= 0 or unit == "%":
        return math.nan
    ratio = now.value / before.value
    return ratio if ratio >= MULTIPLE else math.nan


def _like_for_like(cmp: Comparison, indicator: str, language: str, noun: str = "") -> str:
    """Say, after a reported change, the change among the reporters of both years and who came or left ("" if none).

    In the same terms as the reported change: a count of `noun`, else a percentage.
    """
    same = cmp.like_for_like(indicator)
    if same is None:
        return ""
    if not noun and same.before == 0:  # the reporters of both years had none the year before: no percentage
        change = _t("from_zero", language).format(cy=cmp.compare_year) if same.now else _t("level", language)
    else:
        change = _change_of(same, noun, language)
    others = _t("first_time", language).format(names=_join(list(same.newcomers), language), year=cmp.year) if same.newcomers else ""
    if same.leavers:
        others += _t("no_longer", language).format(names=_join(list(same.leavers), language), year=cmp.compare_year)
    said = words(language)
    template = said("narrative.like_for_like.operator") if same.dimension == "operator" else said("narrative.like_for_like.agency")
    return " " + template.format(change=change, others=others)


def _change_of(same, noun: str, language: str) -> str:
    """Say the like-for-like change: a count of `noun` ("tăng 96 trạm"), else a percentage ("tăng 0,9 %")."""
    number = format_number(abs(same.now - same.before), language)
    amount = words(language)(f"narrative.count.{noun}", number=number) if noun else format_percent(abs(same.change_percent), language)
    rounded = same.now - same.before if noun else round(same.change_percent, 1)
    return (_t("level", language) if rounded == 0 else _t("rise", language) if rounded > 0
            else _t("fall", language)).format(amount=amount)  # fmt: skip


def _direction(change: float, amount: str, language: str, cy: int, words: tuple[str, str]) -> str:
    if round(change, 6) == 0:
        return _t("same", language).format(cy=cy)
    return _t(words[0] if change > 0 else words[1], language).format(amount=amount, cy=cy)


def _missing(cmp: Comparison, indicator: str, language: str, year: int | None = None) -> str:
    return _t("missing", language).format(name=_name(cmp, indicator, language), year=year or cmp.year)


def _join(items: list[str], language: str) -> str:
    """Join "a, b và c" / "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_t('and', language)} {items[-1]}"


def _capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


# --- sentences --------------------------------------------------------------------------------


def _indicator_sentence(cmp: Comparison, indicator: str, language: str, noun: str = "", **fields: str) -> str:
    """Write the template named after `indicator` with the report year's figure and its trend."""
    before, now = cmp.figures(indicator)
    if not now.available:
        return _missing(cmp, indicator, language)
    trend = _trend(cmp, indicator, before, now, language, noun)
    value = _amount(cmp, indicator, now.value, language)
    return _capitalise(_t(indicator, language).format(value=value, trend=trend, year=cmp.year, **fields))


def _density_sentences(cmp: Comparison, language: str) -> list[str]:
    """Write the province's subscriptions per 100 inhabitants, and the districts' highest and lowest."""
    table = cmp.penetration("mobile_subscribers")
    province = table.iloc[-1]
    if math.isnan(province["per_100"]):
        return []
    sentences = [_t("density", language).format(
        value=format_number(province["per_100"], language, 1), cy=cmp.compare_year,
        before=format_number(province["per_100_before"], language, 1),
    )]  # fmt: skip
    districts = table.iloc[:-1].dropna(subset=["per_100"]).sort_values("per_100", ascending=False)
    if len(districts) >= 2:
        sentences.append(_range_sentence(cmp, districts, language))
    return sentences


def _range_sentence(cmp: Comparison, districts, language: str) -> str:
    top, bottom = districts.iloc[0], districts.iloc[-1]
    return _t("density_range", language).format(
        top=_area_phrase(cmp, top["area"], language), top_value=format_number(top["per_100"], language, 1),
        bottom=_area_phrase(cmp, bottom["area"], language), bottom_value=format_number(bottom["per_100"], language, 1),
    )  # fmt: skip


def _area_phrase(cmp: Comparison, code: str, language: str) -> str:
    """Return "thành phố Phan Rang-Tháp Chàm" / "Phan Rang-Thap Cham"; a comparable area across 2025 by its name."""
    area = cmp.catalog.area(code, cmp.year) or cmp.catalog.areas.get(code)
    if area is None:
        from ictanalysis.present import area_name

        return area_name(code, cmp.catalog, words(language))
    return words(language).area(area, full=True, in_sentence=True)


def _member_sentences(cmp: Comparison, indicator: str, language: str) -> list[str]:
    """Name the largest enterprise and its share, and the enterprises new in the report year."""
    table = cmp.by_operator(indicator).dropna(subset=["value"])
    if table.empty:
        return []
    top = table.iloc[0]
    name = _name(cmp, indicator, language)
    sentences = [_t("leader", language).format(
        member=top["operator"], name=name, share=format_percent(top["share"], language),
        cy=cmp.compare_year, before=format_percent(top["share_before"], language),
    )]  # fmt: skip
    new = table.loc[table["value_before"].isna(), "operator"].tolist()
    if new:
        sentences.append(_t("newcomers", language).format(cy=cmp.compare_year, members=_join(new, language), name=name))
    return sentences


def _who(cmp: Comparison, indicator: str, language: str) -> str:
    """Say whose figures a province total is, when only one enterprise reported it."""
    figure = cmp.value(indicator, cmp.year)
    if figure.how == "sum of enterprises" and len(figure.parts) == 1:
        return _t("who", language).format(member=figure.parts[0])
    return ""


def _top_agency_sentence(cmp: Comparison, language: str) -> list[str]:
    """Name the agency with the most level-4 (from 2022 "toàn trình") services."""
    indicator = cmp.current("online_services_level4")
    table = named(cmp.by_agency(indicator), cmp.catalog, language).dropna(subset=["value"])
    if table.empty or table.iloc[0]["value"] <= 0:
        return []
    top, value = table.iloc[0], format_number(table.iloc[0]["value"], language)
    said = _t("top_agency", language) if indicator == "online_services_level4" else _t("top_agency_full", language)
    return [said.format(member=top["name"], value=value)]


def _interconnection_sentence(cmp: Comparison, language: str) -> str:
    ids = {"levels": "document_interconnection_levels", "ministries": "ministries_connected",
           "agencies": "government_agencies_connected"}  # fmt: skip
    figures = {field: cmp.value(indicator, cmp.year) for field, indicator in ids.items()}
    missing = [ids[field] for field, figure in figures.items() if not figure.available]
    if missing:
        return " ".join(_missing(cmp, indicator, language) for indicator in missing)
    return _t("interconnection", language).format(**{k: format_number(f.value, language) for k, f in figures.items()})


def _video_sentence(cmp: Comparison, language: str) -> str:
    """Say how many endpoints were added and the total; without growth, the total and its trend."""
    before, now = cmp.figures("videoconference_endpoints")
    if not (before.available and now.available and now.value > before.value):
        return _indicator_sentence(cmp, "videoconference_endpoints", language, "endpoints")
    added = format_number(now.value - before.value, language)
    return _t("video_added", language).format(added=added, year=cmp.year, value=format_number(now.value, language))


_DRAFTED = ("legal_documents_drafted", "decisions_drafted", "plans_drafted")


def _drafted_sentence(cmp: Comparison, language: str) -> str:
    """List the legal documents, decisions and plans drafted, with the compared year's in brackets."""
    now = _drafted_items(cmp, cmp.year, language)
    if not now:
        return _missing(cmp, "legal_documents_drafted", language)
    before = _drafted_items(cmp, cmp.compare_year, language) or [_t("no_before", language).format(cy=cmp.compare_year)]
    text = _t("drafted", language).format(
        year=cmp.year, cy=cmp.compare_year, items=_join(now, language), before=_join(before, language)
    )
    missing = [_missing(cmp, i, language) for i in _DRAFTED if not cmp.value(i, cmp.year).available]
    return " ".join([text, *missing])


def _drafted_items(cmp: Comparison, year: int, language: str) -> list[str]:
    items = []
    for indicator in _DRAFTED:
        figure = cmp.value(indicator, year)
        if figure.available:
            items.append(words(language)(f"narrative.drafted.{indicator}", number=format_number(figure.value, language)))
    return items


def _directives_sentence(cmp: Comparison, language: str) -> str:
    """Write "66/66 … hoàn thành đúng hạn, đạt 100 %", or the count alone without the assigned total."""
    done, assigned = cmp.value("directives_completed_on_time", cmp.year), cmp.value("directives_assigned", cmp.year)
    if not done.available:
        return _missing(cmp, "directives_completed_on_time", language)
    if not assigned.available or assigned.value == 0:
        before = cmp.value("directives_completed_on_time", cmp.compare_year)
        trend = _trend(cmp, "directives_completed_on_time", before, done, language, "documents")
        return _t("directives_done", language).format(done=format_number(done.value, language), trend=trend)
    rate = format_percent(done.value / assigned.value * 100, language, decimals=None)
    return _t("directives", language).format(
        done=format_number(done.value, language), assigned=format_number(assigned.value, language),
        rate=rate, cy=cmp.compare_year, before=_ratio(cmp, cmp.compare_year, language),
    )  # fmt: skip


def _ratio(cmp: Comparison, year: int, language: str) -> str:
    done, assigned = (cmp.value(i, year) for i in ("directives_completed_on_time", "directives_assigned"))
    if not done.available:
        return _t("no_before", language).format(cy=year)
    if not assigned.available:
        return format_number(done.value, language)
    return _t("ratio", language).format(done=format_number(done.value, language),
                                        assigned=format_number(assigned.value, language))


# --- data notes -------------------------------------------------------------------------------


def _quality_notes(cmp: Comparison, quality: dict | None, language: str) -> list[str]:
    """List the gate's failed and warned rules with the rows and cells they concern."""
    if quality is None:
        return [_t("no_quality", language)]
    notes = []
    if (quality.get("year"), quality.get("compare_year")) != (cmp.year, cmp.compare_year):
        notes.append(_t("quality_other", language).format(year=quality.get("year"), cy=quality.get("compare_year")))
    findings = [r for r in quality.get("rules", []) if not r.get("success", True)]
    if not findings:
        return notes + [_t("quality_clean", language).format(n=len(quality.get("rules", [])))]
    for rule in findings:
        notes += _rule_notes(cmp, rule, language)
    return notes


def _rule_notes(cmp: Comparison, rule: dict, language: str) -> list[str]:
    severity = words(language)("severity.error" if rule.get("severity") == "error" else "severity.warning")
    description = describe_rule(rule.get("id", ""), language)
    head = _t("quality_rule", language).format(
        severity=severity, description=_lower_first(description.rstrip(".")),
        failed=rule.get("failed", 0), checked=rule.get("checked", 0),
    )  # fmt: skip
    rows = rule.get("rows") or []
    notes = [head, *(_row_note(cmp, row, language) for row in rows[:MAX_NOTE_ROWS])]
    if len(rows) > MAX_NOTE_ROWS:
        notes.append(_t("quality_more", language).format(n=len(rows) - MAX_NOTE_ROWS))
    return notes


def _row_note(cmp: Comparison, row: dict, language: str) -> str:
    """Describe one offending row: what it is, its values by year, its source cells."""
    what = [_row_indicator(cmp, row.get("indicator", ""), language)]
    area = row.get("area", "")
    if area in cmp.catalog.areas:
        what.append(words(language).area(cmp.catalog.areas[area]))
    what += [row[key] for key in ("operator", "agency") if row.get(key)]
    values, cells = _row_values(row, language), _row_cells(row)
    return _t("quality_row", language).format(what=", ".join(what), values=values, cells=cells)


def _row_indicator(cmp: Comparison, indicator: str, language: str) -> str:
    return _capitalise(_name(cmp, indicator, language)) if indicator in cmp.catalog.indicators else indicator


def _row_values(row: dict, language: str) -> str:
    values = []
    if row.get("value_before") is not None:
        values.append(f"{format_number(row['value_before'], language)} → ")
    values.append(format_number(row.get("value"), language))
    if row.get("change_percent") is not None:
        values.append(f" ({format_percent(row['change_percent'], language)})")
    return "".join(values)


def _row_cells(row: dict) -> str:
    return "; ".join(cell for cell in (source_of(row, "_before"), source_of(row)) if cell) or "–"


def _derivation_notes(cmp: Comparison, language: str) -> list[str]:
    """Say which province figures were summed rather than read, and from what.

    Sums over enterprises, agencies or districts are named once per kind;
    a sum of parts (prepaid + postpaid) once per indicator and year.
    """
    groups: dict[str, list[str]] = {}
    parts_notes = []
    for indicator in _reported(cmp):
        name = _name(cmp, indicator, language)
        for year in (cmp.compare_year, cmp.year):
            figure = cmp.value(indicator, year)
            if figure.how == EARLIER_DEFINITION:  # said by the note on the definitions (_replacement_notes)
                continue
            if figure.how == "sum of parts":
                parts = _join([_name(cmp, p, language) for p in figure.parts], language)
                parts_notes.append(_t("sum_of_parts", language).format(name=name, year=year, parts=parts))
            elif figure.derived and name not in groups.setdefault(figure.how.replace(" ", "_"), []):
                groups[figure.how.replace(" ", "_")].append(name)
    return [_t(how, language).format(names=_join(names, language)) for how, names in groups.items()] + parts_notes


def _reported(cmp: Comparison) -> tuple[str, ...]:
    """Return every indicator a section speaks of, in the order of the report, as the report year defines them."""
    sections = ("coverage_3g4g_population", "online_services_level3", "online_services_level2",
                "national_portal_procedures", "national_portal_share", "interconnected_land_procedures",
                "edocuments_exchanged", *_DRAFTED, "directives_completed_on_time",
                "directives_assigned")  # fmt: skip
    return tuple(dict.fromkeys(cmp.current(i) for i in (*load_contents().headline, *sections)))


def _definition_notes(cmp: Comparison, language: str) -> list[str]:
    """Define subscriptions per 100 inhabitants and telecom revenue; name the series not compared."""
    population = [cmp.value("population", y).sources for y in (cmp.compare_year, cmp.year)]
    files = sorted({source.split(SOURCE_SEPARATOR)[0] for sources in population for source in sources}) or ["–"]
    notes = [_t("penetration", language).format(files=", ".join(files)), _t("revenue", language)]
    table, known = cmp.table, cmp.catalog.indicators
    rows = table[table["year"].isin([cmp.compare_year, cmp.year]) & table["indicator"].isin(known)]
    gso = sorted(i for i in set(rows["indicator"]) if known[i].source == "gso")
    if gso:
        notes.append(_t("gso", language).format(names=_join([_name(cmp, i, language) for i in gso], language)))
    return notes + _replacement_notes(cmp, rows, language) + _preliminary_note(cmp, rows, language)


def _replacement_notes(cmp: Comparison, rows, language: str) -> list[str]:
    """Say, for a pair across a change of definitions, how each successor the pair holds corresponds to what it replaced.

    One note per successor (``narrative.replaces.<id>``): whether the compared year's figure is the replaced
    indicator's (comparable), or the two are not compared.
    """
    notes = []
    for indicator in _reported(cmp):
        replaces = cmp.indicator(indicator).replaces
        if replaces is None or not cmp.compare_year < replaces.since <= cmp.year:
            continue
        if rows["indicator"].isin([indicator, replaces.indicator]).any():
            notes.append(_correspondence(words(language), indicator, since=replaces.since, cy=cmp.compare_year,
                                         year=cmp.year))  # fmt: skip
    return notes


def _correspondence(said, indicator: str, **fields: object) -> str:
    """Say how a successor corresponds to what it replaced: one message per replacement (``narrative.replaces.<id>``)."""
    known = {"online_services_full": lambda: said("narrative.replaces.online_services_full", **fields),
             "online_services_partial": lambda: said("narrative.replaces.online_services_partial", **fields)}  # fmt: skip
    return known[indicator]() if indicator in known else said(f"narrative.replaces.{indicator}", **fields)


def _preliminary_note(cmp: Comparison, rows, language: str) -> list[str]:
    reported = {*_reported(cmp), *(p for i in _reported(cmp) for p in cmp.indicator(i).parts)}
    marked = rows[rows["preliminary"].astype(bool) & rows["indicator"].isin(reported)]
    names = [f"{_name(cmp, i, language)} ({y})" for (i, y), _ in marked.groupby(["indicator", "year"])]
    return [_t("preliminary", language).format(names=_join(names, language))] if names else []
