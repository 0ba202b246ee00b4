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

# %% [markdown]
# # Khám phá số liệu — explore the tidy table
#
# Load the table that `ictanalysis clean` wrote, filter it, and find the workbook cell any
# number came from. Run `ictanalysis clean` once first. Nothing here writes a file. Empty
# parameters take the project's settings (`ictanalysis.toml` in this folder or above it);
# without years, the latest year of the table against the year before.

# %% tags=["parameters"]
data = ""
year = None
compare_year = None
province = ""

# %%
import ictanalysis as ict

settings = ict.load_settings().replace(province=province or None, data=data or None)
table = ict.read_indicators(settings.outputs.table)
cmp = ict.compare(table, year, compare_year, settings.province)
year, compare_year = cmp.year, cmp.compare_year
table.groupby(["year", "domain"]).size().unstack(fill_value=0)

# %% [markdown]
# ## Filter: one indicator, every district and enterprise, both years

# %%
table.query("indicator == 'mobile_prepaid_subscribers' and year in [@compare_year, @year]").pivot_table(
    index=["area", "operator"], columns="year", values="value"
)

# %% [markdown]
# ## Where did a number come from?
# Every row names its file, sheet and cell; open the workbook in `data/raw/` at that cell.

# %%
table.query("indicator == 'online_services_level4' and agency == ''")[
    ["year", "value", "source_file", "source_sheet", "source_cell"]
]

# %% [markdown]
# A province figure that no sheet gives directly (e.g. mobile subscribers in 2019, the sum of
# prepaid and postpaid over all enterprises) is derived; `value` says how and from which cells.

# %%
cmp.value("mobile_subscribers", compare_year)

# %% [markdown]
# ## The catalog: what an indicator means

# %%
ict.load_catalog().indicator("online_services_level4")
