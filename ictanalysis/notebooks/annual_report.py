# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (ictanalysis)
#     language: python
#     name: ictanalysis
# ---

# %% [markdown] tags=["remove-cell"]
# # Báo cáo số liệu năm — notebook cho chuyên viên
#
# This notebook is the department's year-comparison report. `ictanalysis report` runs it with
# papermill and exports it without code; in JupyterLab it runs top to bottom with the defaults
# below (run `make report` once first, so the tidy table exists). Change a parameter and
# re-run to look at another pair of years. Every figure is computed by the library from the
# tidy table, and every table ends with the cells its figures came from.

# %% tags=["parameters"]
year = 2020
compare_year = 2019
province = "58"
language = "vi"
data = "../data/processed/indicators.parquet"
quality = "../reports/2020/quality.json"
output_dir = ""

# %% tags=["remove-cell"]
import ictanalysis as ict

cmp = ict.compare(ict.read_indicators(data), year, compare_year, province)
findings = ict.read_quality(quality)
charts = ict.present.Charts(output_dir, language)

# %%
ict.present.title(ict.present.label("title", language, year=year), ict.present.label("subtitle", language, province=cmp.area_name(province, language), compare_year=compare_year))

# %%
ict.present.heading("headline", language)

# %%
ict.present.paragraphs(ict.narrative.headline_sentences(cmp, language), "headline")

# %%
ict.present.table(cmp.headline(language), ict.present.CHANGE_COLUMNS, language)

# %%
charts.show(ict.chart.change_bars(cmp.headline(language), ict.present.label("change_chart", language), language, compare_year), "headline_change")

# %%
ict.present.heading("postal", language)

# %%
ict.present.paragraphs(ict.narrative.postal_sentences(cmp, language))

# %%
ict.present.table(cmp.by_operator("postal_revenue"), ict.present.OPERATOR_COLUMNS, language, ict.present.label("postal_revenue_by_enterprise", language))

# %%
charts.show(ict.chart.operator_shares(cmp.by_operator("postal_revenue"), ict.present.label("postal_revenue_share", language), year, language), "postal_revenue_share")

# %%
ict.present.heading("telecom", language)

# %%
ict.present.paragraphs(ict.narrative.telecom_sentences(cmp, language))

# %%
ict.present.heading("subscribers", language, level=3)

# %%
ict.present.table(cmp.by_operator("mobile_subscribers"), ict.present.OPERATOR_COLUMNS, language, ict.present.label("mobile_by_enterprise", language))

# %%
charts.show(ict.chart.operator_shares(cmp.by_operator("mobile_subscribers"), ict.present.label("mobile_share", language), year, language), "mobile_share")

# %%
ict.present.table(cmp.by_district("fixed_broadband_subscribers"), ict.present.DISTRICT_COLUMNS, language, ict.present.label("fixed_broadband_by_district", language))

# %%
charts.show(ict.chart.district_bars(cmp.by_district("fixed_broadband_subscribers"), ict.present.label("fixed_broadband_by_district", language), ict.present.label("unit_subscriptions", language), year, compare_year, language), "fixed_broadband_by_district")

# %%
ict.present.heading("penetration", language, level=3)

# %%
ict.present.table(cmp.penetration("mobile_subscribers"), ict.present.PENETRATION_COLUMNS, language, ict.present.label("mobile_per_100", language))

# %%
ict.present.heading("infrastructure", language, level=3)

# %%
ict.present.table(cmp.by_district("bts_4g_stations"), ict.present.DISTRICT_COLUMNS, language, ict.present.label("bts_4g_by_district", language))

# %%
charts.show(ict.chart.district_bars(cmp.by_district("bts_4g_stations"), ict.present.label("bts_4g_by_district", language), ict.present.label("unit_stations", language), year, compare_year, language), "bts_4g_by_district")

# %%
ict.present.heading("revenue", language, level=3)

# %%
ict.present.table(cmp.by_operator("telecom_revenue"), ict.present.OPERATOR_COLUMNS, language, ict.present.label("telecom_revenue_by_enterprise", language))

# %%
ict.present.heading("egov", language)

# %%
ict.present.paragraphs(ict.narrative.egov_sentences(cmp, language))

# %%
ict.present.table(cmp.change_table(ict.present.EGOV_INDICATORS, language), ict.present.CHANGE_COLUMNS, language)

# %%
charts.show(ict.chart.agency_bars(cmp.by_agency("online_services_level4"), ict.present.label("level4_by_agency", language), ict.present.label("unit_procedures", language), year, compare_year, language), "level4_by_agency")

# %%
ict.present.heading("admin", language)

# %%
ict.present.paragraphs(ict.narrative.admin_sentences(cmp, language))

# %%
ict.present.heading("notes", language)

# %%
ict.present.paragraphs(ict.narrative.data_notes(cmp, findings, language), "note")

# %%
ict.present.heading("sources", language)

# %%
ict.present.table(cmp.sources_appendix(language), ict.present.SOURCE_COLUMNS, language, sources=False)
