"""The statistics pages (/statistik, /statistik/indikatorer): the follow-up engine's published figures on a
synthetic analytics store, formatted in Swedish; CSV downloads in the engine's machine format; access by role;
a helpful page when nothing has been imported."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from canrehab.config import Settings
from canrehab.followup import api
from canrehab.followup.goals import default_indicators
from canrehab.followup.indicators import RESULT_COLUMNS
from canrehab.followup.suite import IND_HEADERS, REGION_HEADERS
from canrehab.followup.tables import REGION_COLUMNS
from canrehab.services.accounts import create_user
from canrehab.services.context import Services
from canrehab.synth.analytics import build_demo_analytics, demo_dataset
from canrehab.web.app import create_app
from canrehab.web.charts import ranked_bar_chart
from canrehab.web.routes.statistics import XLSX
from canrehab.web.statistics_view import DEFAULT_CODES, KVA_SHAPE, parse_codes

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "statistik-losen-1"
YEARS = (2022, 2023)
PERSONS = 3000
NBSP = "\u00a0"


@dataclass(frozen=True)
class Env:
    settings: Settings
    dataset: Path


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, secret_key="x")


def _add_users(settings: Settings, roles: tuple[str, ...]) -> None:
    services = Services.open(settings, migrate=True)
    try:
        for role in roles:
            create_user(services, username=role, role=role, password=PASSWORD, display_name=role)
    finally:
        services.engine.dispose()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    settings = _settings(tmp_path_factory.mktemp("statistik"))
    build_demo_analytics(settings, seed=7, persons=PERSONS, years=YEARS)
    _add_users(settings, ("regional_analyst", "unit_manager", "admin", "nurse"))
    return Env(settings, demo_dataset(settings))


@pytest.fixture(scope="module")
def app_client(env: Env) -> Iterator[TestClient]:
    yield TestClient(create_app(env.settings), base_url="http://127.0.0.1")


def login(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    token = CSRF_RE.search(client.get("/logga-in").text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/logga-in",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


@pytest.fixture
def analyst(app_client: TestClient) -> TestClient:
    return login(app_client, "regional_analyst")


# ------------------------------------------------------------------------------------------ helpers


def sv_count(text: str) -> str:
    return f"{int(text):,}".replace(",", NBSP) if text.isdigit() else text


def sv_rate(text: str) -> str:
    return text.replace(".", ",")


def row_html(page: str, attr: str, code: str) -> str:
    m = re.search(rf'<tr {attr}="{re.escape(code)}"[^>]*>(.*?)</tr>', page, re.S)
    assert m, f"no row {attr}={code}"
    return m.group(1)


def cell(row: str, code: str, col: str) -> str:
    m = re.search(rf'data-code="{code}" data-col="{col}">([^<]*)</td>', row)
    assert m, f"no cell {code}/{col}"
    return html.unescape(m.group(1))


def engine_table(env: Env, year: int, level: str, **filters: object) -> pd.DataFrame:
    return api.region_table(env.dataset, year, DEFAULT_CODES, level=level, **filters)  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------- tests


def test_build_demo_analytics_imports_every_year_with_the_requested_population(env: Env) -> None:
    assert sorted(p.name for p in env.dataset.glob("year=*")) == [f"year={y}" for y in YEARS]
    for year in YEARS:
        table = engine_table(env, year, "county")
        nation = table[table["region_code"] == "00"]
        assert set(nation["total_patients"]) == {str(PERSONS)}


def test_build_demo_analytics_is_deterministic_and_replaces_the_dataset(tmp_path: Path, env: Env) -> None:
    settings = _settings(tmp_path)
    build_demo_analytics(settings, seed=7, persons=PERSONS, years=(2023,))
    first = api.region_table(demo_dataset(settings), 2023, DEFAULT_CODES)
    build_demo_analytics(settings, seed=7, persons=PERSONS, years=(2023,))  # replaces, no error
    assert api.region_table(demo_dataset(settings), 2023, DEFAULT_CODES).equals(first)
    assert first.equals(engine_table(env, 2023, "county"))  # same seed and year, same figures


@pytest.mark.parametrize("level", ["lan", "rcc"])
def test_region_table_on_the_page_equals_the_engine_in_swedish_format(
    analyst: TestClient, env: Env, level: str
) -> None:
    year = 2023
    r = analyst.get(f"/statistik?year={year}&level={level}")
    assert r.status_code == 200
    page = r.text
    expected = engine_table(env, year, "county" if level == "lan" else "rcc")
    for rec in expected.to_dict("records"):
        row = row_html(page, "data-region", rec["region_code"])
        assert f">{html.escape(rec['region_name'])}</th>" in row
        total = re.search(r'data-col="total">([^<]*)<', row).group(1)  # type: ignore[union-attr]
        assert total == sv_count(rec["total_patients"])
        assert cell(row, rec["code"], "patients") == sv_count(rec["patients"])
        assert cell(row, rec["code"], "per_1000") == sv_rate(rec["per_1000"])
    # The nation is the last row, and decimal commas are really there.
    assert page.rfind('data-region="00"') > max(
        page.rfind(f'data-region="{c}"') for c in expected["region_code"] if c != "00"
    )
    nation_rates = expected[(expected["region_code"] == "00") & (expected["per_1000"] != "0.00")]
    assert any("," in sv_rate(v) for v in nation_rates["per_1000"])


def test_suppressed_cells_are_shown_exactly_as_the_engine_publishes_them(
    analyst: TestClient, env: Env
) -> None:
    expected = engine_table(env, 2023, "county")
    published = set(expected["patients"])
    assert "<4" in published and "X" in published, "the tiny extract must exercise suppression"
    page = analyst.get("/statistik?year=2023").text
    assert "&lt;4</td>" in page and ">X</td>" in page
    for rec in expected[expected["patients"].isin(["<4", "X"])].to_dict("records"):
        row = row_html(page, "data-region", rec["region_code"])
        assert cell(row, rec["code"], "patients") == rec["patients"]
        assert cell(row, rec["code"], "per_1000") == "X"


def test_filters_are_passed_to_the_engine(analyst: TestClient, env: Env) -> None:
    page = analyst.get("/statistik?year=2022&level=rcc&care_type=sluten&sex=2&codes=xv019,AW020").text
    expected = api.region_table(env.dataset, 2022, ["XV019", "AW020"], level="rcc", care_type="sluten", kon=2)
    for rec in expected.to_dict("records"):
        row = row_html(page, "data-region", rec["region_code"])
        assert cell(row, rec["code"], "patients") == sv_count(rec["patients"])
        assert cell(row, rec["code"], "per_1000") == sv_rate(rec["per_1000"])
    assert 'data-code="AU010"' not in page


def test_csv_download_has_exactly_the_engines_columns_and_values(analyst: TestClient, env: Env) -> None:
    for level, engine_level in (("lan", "county"), ("rcc", "rcc")):
        r = analyst.get(f"/statistik/tabell.csv?year=2022&level={level}")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        assert r.text.splitlines()[0] == ",".join(REGION_COLUMNS)
        got = pd.read_csv(io.StringIO(r.text), dtype=str, keep_default_na=False)
        expected = engine_table(env, 2022, engine_level)
        assert list(got.columns) == REGION_COLUMNS
        pd.testing.assert_frame_equal(got, expected.astype(str))
        assert not any("," in v for v in got["per_1000"])  # machine format: decimal point
    page = analyst.get("/statistik?year=2022&level=rcc").text
    assert 'href="/statistik/tabell.csv?dataset=demo&amp;year=2022&amp;level=rcc&amp;codes=' in page


def test_the_excel_downloads_have_swedish_headers_numbers_and_years(analyst: TestClient, env: Env) -> None:
    """The analyst opens the page's table in Swedish Excel: a CSV with commas lands in one column there, so
    the page offers a workbook with the page's Swedish headers, counts and rates as numbers (a space between
    thousands for every reader), suppressed cells as <4/X, years as numbers and human sheet names."""
    r = analyst.get("/statistik/tabell.xlsx?year=2022&level=lan")
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX)
    assert 'filename="kva_lan_2022.xlsx"' in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content))["Län 2022"]
    assert sheet["A1"].value.startswith("KVÅ-åtgärder per län 2022")
    assert [c.value for c in sheet[2]] == [REGION_HEADERS[c] for c in REGION_COLUMNS]
    expected = engine_table(env, 2022, "county")
    first = expected.iloc[0]
    row = [c for c in sheet[3]]
    assert row[1].value == first["region_name"] and row[2].value == first["code"]
    if str(first["patients"]).isdigit():
        assert row[3].value == int(first["patients"]) and "0\\ 000" in row[3].number_format
    counts = [c.value for (c,) in sheet.iter_rows(min_row=3, min_col=6, max_col=6)]
    assert all(isinstance(v, int) or v in ("X", "<4") for v in counts), counts  # numbers, or suppressed
    page = analyst.get("/statistik?year=2022&level=lan").text
    assert 'href="/statistik/tabell.xlsx?dataset=demo&amp;year=2022&amp;level=lan' in page
    assert "Ladda ned tabellen för Excel" in page

    r = analyst.get("/statistik/indikatorer.xlsx")
    assert r.status_code == 200
    indicators = load_workbook(io.BytesIO(r.content))["Indikatorer"]
    assert [c.value for c in indicators[2]] == list(IND_HEADERS.values())
    years = {c.value for (c,) in indicators.iter_rows(min_row=3, min_col=3, max_col=3)}
    assert years == set(YEARS)  # numbers, not the texts "2021" …
    levels = {c.value for (c,) in indicators.iter_rows(min_row=3, min_col=4, max_col=4)}
    assert "county" not in levels and "Region" in levels
    assert 'href="/statistik/indikatorer.xlsx?dataset=demo"' in analyst.get("/statistik/indikatorer").text


def test_ranked_chart_marks_the_national_rate_and_ranks_the_counties(analyst: TestClient, env: Env) -> None:
    code = "XV019"
    page = analyst.get(f"/statistik?year=2023&chart={code}").text
    svg = page[
        page.index('<svg class="chart ranked"') : page.index(
            "</svg>", page.index('<svg class="chart ranked"')
        )
    ]
    expected = engine_table(env, 2023, "county")
    sub = expected[expected["code"] == code]
    national = sub[sub["region_code"] == "00"]["per_1000"].iloc[0]
    assert f"Riket {sv_rate(national)}" in svg
    shown = sub[(sub["region_code"] != "00") & (sub["per_1000"] != "X")]
    ranked = shown.assign(v=shown["per_1000"].astype(float)).sort_values(
        ["v", "region_name"], ascending=[False, True]
    )
    labels = re.findall(r'text-anchor="end">([^<]+)</text>', svg)
    assert labels[: len(ranked)] == [html.escape(n) for n in ranked["region_name"]]
    assert svg.count("<rect ") == len(ranked)


def test_ranked_bar_chart_lists_suppressed_units_last_without_a_bar() -> None:
    svg = ranked_bar_chart([("A", 1.5, ""), ("B", None, "<4"), ("C", 3.25, "")], 2.0, "t")
    assert svg.index(">C<") < svg.index(">A<") < svg.index(">B<")
    assert svg.count("<rect ") == 2
    assert "&lt;4" in svg and "Riket 2,00" in svg


def test_indicator_page_shows_every_indicator_per_county_and_year_against_its_goal(
    analyst: TestClient, env: Env
) -> None:
    r = analyst.get("/statistik/indikatorer")
    assert r.status_code == 200
    page = r.text
    results = api.indicator_results(env.dataset, YEARS)
    for d in default_indicators().of_source("register"):
        start = page.index(f'<section class="indicator" id="ind-{d.id}">')
        section = page[start : page.index("</section>", start)]
        assert html.escape(d.name_sv) in section
        assert '<svg class="chart trend"' in section
        if d.goal:
            assert f"Målnivå: <strong>{d.goal.level_percent:.0f}&nbsp;%</strong>" in section
        else:
            assert "Ingen målnivå" in section
        mine = results[(results["indicator_id"] == d.id) & results["level"].isin(["county", "nation"])]
        for rec in mine.to_dict("records"):
            row = row_html(section, "data-unit", rec["unit_code"])
            m = re.search(rf'data-year="{rec["year"]}">([^<]*)<br><span class="muted small">([^<]*)<', row)
            assert m, (d.id, rec["unit_code"], rec["year"])
            text = rec["percent_text"]
            assert html.unescape(m.group(1)) == (text if text in ("X", "") else f"{sv_rate(text)}{NBSP}%")
            detail = f"{sv_count(rec['numerator_text'])} av {sv_count(rec['denominator_text'])}"
            assert html.unescape(m.group(2)) == detail


def test_indicator_trend_compares_a_chosen_county_with_the_nation(analyst: TestClient) -> None:
    page = analyst.get("/statistik/indikatorer?level=lan&region=25").text
    assert page.count(">Norrbotten</text>") == len(default_indicators().of_source("register"))
    rcc = analyst.get("/statistik/indikatorer?level=rcc").text
    assert 'data-unit="NORR"' in rcc and 'data-unit="25"' not in rcc


def test_indicator_csv_has_the_engines_columns(analyst: TestClient, env: Env) -> None:
    r = analyst.get("/statistik/indikatorer.csv")
    assert r.status_code == 200
    got = pd.read_csv(io.StringIO(r.text), dtype=str, keep_default_na=False)
    assert list(got.columns) == RESULT_COLUMNS
    assert set(got["year"]) == {str(y) for y in YEARS}
    assert len(got) == len(api.indicator_results(env.dataset, YEARS))


def test_no_person_identifier_reaches_any_page(analyst: TestClient, env: Env) -> None:
    ids = pq.read_table(next(env.dataset.glob("year=2023/*.parquet")), columns=["lopnr"]).column("lopnr")
    sample = {str(v) for v in ids.to_pylist()[:: max(1, len(ids) // 200)]}
    for url in (
        "/statistik",
        "/statistik/tabell.csv",
        "/statistik/indikatorer",
        "/statistik/indikatorer.csv",
    ):
        text = analyst.get(url).text
        assert "lopnr" not in text
        tokens = set(re.findall(r"[A-Za-z0-9_-]{6,}", text))
        assert not (sample & tokens), url


@pytest.mark.parametrize("role", ["unit_manager", "admin", "regional_analyst"])
def test_dashboard_roles_may_see_the_statistics(app_client: TestClient, role: str) -> None:
    client = login(app_client, role)
    for url in (
        "/statistik",
        "/statistik/indikatorer",
        "/statistik/tabell.csv",
        "/statistik/indikatorer.csv",
    ):
        assert client.get(url).status_code == 200, url
    assert '<a href="/statistik">Statistik</a>' in client.get("/statistik").text


def test_a_nurse_is_refused_and_an_anonymous_user_sent_to_login(app_client: TestClient) -> None:
    urls = ("/statistik", "/statistik/indikatorer", "/statistik/tabell.csv", "/statistik/indikatorer.csv")
    app_client.cookies.clear()
    for url in urls:
        r = app_client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/logga-in?next="), url
    nurse = login(app_client, "nurse")
    for url in urls:
        r = nurse.get(url)
        assert r.status_code == 403, url
        assert "Åtkomst nekad" in r.text
    assert 'href="/statistik"' not in nurse.get("/logga-in").text


def test_bad_choices_get_precise_swedish_messages(analyst: TestClient) -> None:
    r = analyst.get("/statistik?codes=AW02,XV019&year=1999&level=kommun&sex=3")
    assert r.status_code == 400
    text = html.unescape(r.text)
    assert "Ogiltig KVÅ-kod: AW02" in text
    assert "Året 1999 finns inte i datamängden; välj ett av 2022, 2023." in text
    assert "Okänd nivå" in text and "Okänt värde för kön: 3" in text
    assert 'id="tabell"' not in r.text
    csv = analyst.get("/statistik/tabell.csv?codes=AW0200")
    assert csv.status_code == 400 and "Ogiltig KVÅ-kod: AW0200" in csv.text
    assert analyst.get("/statistik?dataset=finns-inte").status_code == 400
    assert analyst.get("/statistik/indikatorer?level=x").status_code == 400


def test_without_imported_data_the_pages_explain_how_to_import(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _add_users(settings, ("regional_analyst",))
    client = login(TestClient(create_app(settings), base_url="http://127.0.0.1"), "regional_analyst")
    for url in ("/statistik", "/statistik/indikatorer"):
        r = client.get(url)
        assert r.status_code == 200
        assert "Det finns ännu ingen statistik att visa." in r.text
        assert "<code>canrehab import-par FIL</code>" in r.text
        assert "canrehab synth-par" in r.text
    r = client.get("/statistik/tabell.csv")
    assert r.status_code == 404 and "canrehab import-par" in r.text


@given(st.text(alphabet="AWXVUaw0123456789, ;\t", max_size=60))
def test_parse_codes_accepts_only_kva_shapes_and_reports_the_rest(text: str) -> None:
    codes, errors = parse_codes(text)
    tokens = [t.upper() for t in re.split(r"[,;\s]+", text) if t]
    if not tokens:
        assert codes == DEFAULT_CODES and errors == []
        return
    assert all(KVA_SHAPE.match(c) for c in codes)
    assert len(codes) == len(set(codes))
    bad = [t for t in tokens if not KVA_SHAPE.match(t)]
    assert bool(bad) == any(e.startswith("Ogiltig KVÅ-kod") for e in errors)
    assert set(codes) == {t for t in tokens if KVA_SHAPE.match(t)}


def test_query_text_is_escaped_on_the_page(analyst: TestClient) -> None:
    attack = "<script>alert(1)</script>"
    for url in (f"/statistik?codes={attack}", f"/statistik?dataset={attack}", f"/statistik?year={attack}"):
        r = analyst.get(url)
        assert r.status_code == 400
        assert "<script>" not in r.text.lower()
        assert "&lt;script&gt;" in r.text.lower()


@pytest.mark.parametrize(
    ("published", "count", "rate", "percent"),
    [
        ("4590", "4\u00a0590", "4\u00a0590", "4\u00a0590\u00a0%"),
        ("21.35", "21.35", "21,35", "21,35\u00a0%"),
        ("4.6", "4.6", "4,6", "4,6\u00a0%"),
        ("<4", "<4", "<4", "<4"),
        ("X", "X", "X", "X"),
        ("", "", "", "–"),
    ],
)
def test_published_texts_are_shown_in_swedish_and_markers_unchanged(
    published: str, count: str, rate: str, percent: str
) -> None:
    from canrehab.web.statistics_view import published_count, published_percent, published_rate

    assert published_count(published) == count
    assert published_rate(published) == rate
    assert published_percent(published) == percent
