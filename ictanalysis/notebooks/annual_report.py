# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # Báo cáo số liệu năm — notebook cho chuyên viên
#
# This notebook is the department's year-comparison report. `ictanalysis report` runs it with
# papermill and exports it without code; in JupyterLab it runs top to bottom with the defaults
# below: the latest year of the tidy table against the year before, with the settings of the
# project (`ictanalysis.toml` in this folder or above it). Run `ictanalysis clean` once first,
# so the tidy table exists. Change a parameter and re-run to look at another pair of years.
# What each section shows is declared in the package's `catalog/report.yaml`; every figure is
# computed by the library from the tidy table, and every table ends with the cells its figures
# came from.

# %% tags=["parameters"]
year = None
compare_year = None
province = ""
language = ""
data = ""
quality = ""
output_dir = ""
plans = ""

# %% tags=["remove-cell"]
import ictanalysis as ict

view = ict.open_report(year, compare_year, province=province, language=language, data=data, quality=quality,
                       output_dir=output_dir)

# %%
view.title()

# %%
view.summary(plans)

# %%
view.section("headline")

# %%
view.section("trend")

# %%
view.section("postal")

# %%
view.section("telecom")

# %%
view.section("subscribers")

# %%
view.section("penetration")

# %%
view.section("infrastructure")

# %%
view.section("revenue")

# %%
view.section("egov")

# %%
view.section("admin")

# %%
view.section("yearbook")

# %%
view.section("declined")

# %%
view.section("notes")

# %%
view.section("sources")
