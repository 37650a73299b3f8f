"""End to end: Debian's chromium, driven by Playwright, fills the page for a real Hengelo trip.

The app runs under uvicorn on 127.0.0.1 in a background thread. The test fills the form (home
and the ZGT Hengelo hospital by name, from the suggestions; a dialysis series), gets the quote,
checks that the numbers on the page equal the API's for the same input, that the route layer is
drawn, that the page made no request to another host and broke no Content-Security-Policy rule,
and saves screenshots (screen and print view) under ``test-output/web/``.

Playwright's own browser is never downloaded: the test uses ``/usr/bin/chromium``. Without it (or
without the ``playwright`` package) the test skips with the reason, except in CI (``CI=true``),
where it fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import PROJECT_ROOT
from tests.web.conftest import HOME, ZGT, quote_body

pytestmark = [pytest.mark.shared, pytest.mark.e2e]

CHROMIUM = Path(os.environ.get("ZIEKENVERVOER_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=nl-NL",
]
OUTPUT = PROJECT_ROOT / "test-output" / "web"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} not found: apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.problems = []  # type: ignore[attr-defined]
    page.on("request", lambda r: page.requests.append(r.url))
    page.on(
        "console",
        lambda m: (
            page.problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def save(png: bytes, name: str) -> Path:
    """Write a screenshot atomically under test-output/web/."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(png)
    os.replace(tmp, path)
    return path


def test_dispatcher_quotes_a_hengelo_series(page, live_server):
    base = live_server.url
    page.goto(base + "/")
    assert page.title().startswith("Ziekenvervoer")
    home = page.get_by_label("Woonadres (ophaaladres)")
    # suggestions: the hospital on the map first; one off the map last, marked as such
    home.press_sequentially("Zie", delay=30)
    off = "#home-list option[value='Ziekenhuisgroep Twente Almelo'][data-on-map='false']"
    page.wait_for_selector(off, state="attached")
    assert page.locator("#home-list option").first.get_attribute("value") == "ZGT Hengelo"
    assert page.locator(off).get_attribute("label").endswith("(buiten de kaart)")
    home.fill(HOME)
    # the treatment address by its name, from the suggestions (offline hospital list)
    treatment = page.get_by_label("Behandeladres")
    treatment.press_sequentially("ZGT Hen", delay=30)
    page.wait_for_selector(
        "#treatment-list option[value='ZGT Hengelo'][data-on-map='true']", state="attached"
    )
    treatment.fill("ZGT Hengelo")
    page.get_by_label("Reeks (vaste weekdagen)").check()
    page.get_by_label("Eerste dag").fill("2025-09-01")
    for day in ("mon", "wed", "fri"):
        page.locator(f"#wd-{day}").check()
    page.get_by_label("Aantal maanden").fill("3")
    page.get_by_label("Indicatie", exact=True).select_option("dialysis")
    page.get_by_label("Verzekeraar (label)").select_option("VGZ")
    page.get_by_label("Polis (product)").select_option("Ruime Keuze")
    page.get_by_label("Vervoerswijze").select_option("taxi")
    page.get_by_label("Vervoerder").select_option("Voorbeeld Zorgtaxi Twente")
    page.get_by_label("Machtigingsnummer").fill("M2025-001")
    assert not page.get_by_label("OV-tarief 2e klas, hele rit, per persoon (€)").is_visible()
    page.get_by_role("button", name="Bereken offerte").click()

    page.wait_for_selector("#amounts")
    page.wait_for_selector("#map[data-route-drawn=true]")
    page.wait_for_selector("#map[data-network-drawn=true]", timeout=15_000)

    api = httpx.post(
        f"{base}/api/quote", json=quote_body(treatment="ZGT Hengelo"), timeout=60
    ).json()
    point = httpx.post(f"{base}/api/quote", json=quote_body(treatment=ZGT), timeout=60).json()
    assert point["totals"] == api["totals"]  # the name stands for ZGT Hengelo's point
    totals = api["totals"]
    for ident, key in (
        ("total-price", "price_eur"),
        ("total-insurer", "insurer_pays_eur"),
        ("total-patient", "patient_pays_eur"),
        ("total-contribution", "contribution_eur"),
    ):
        cell = page.locator(f"#{ident}")
        assert cell.get_attribute("data-value") == totals[key]
        euros, cents = totals[key].split(".")
        shown = "€ " + f"{int(euros):,}".replace(",", ".") + "," + cents
        assert cell.inner_text().strip() == shown
    assert page.locator("#ride-price").get_attribute("data-value") == api["rides"][0]["price_eur"]
    loaded = page.locator("#loaded-km").inner_text()
    assert loaded.strip() == f"{api['trip']['loaded_km']:.1f} km".replace(".", ",")
    assert page.locator("#rides tbody tr").count() == totals["rides"] == 39

    # the route layer: SVG paths for both legs, with many points
    for leg in ("route-out", "route-back"):
        d = page.locator(f"path.{leg}").get_attribute("d")
        assert d is not None
        points = len(re.findall(r"[ML]", d))
        assert points > 20, (leg, points)
    assert page.locator("canvas").count() >= 1  # the map's own roads, drawn without tiles

    shot = save(page.screenshot(full_page=True), "quote-screen.png")
    assert shot.stat().st_size > 50_000

    # print view: the result only
    from playwright.sync_api import expect

    page.emulate_media(media="print")
    expect(page.locator("#quote-form")).to_be_hidden()
    expect(page.locator("#amounts")).to_be_visible()
    expect(page.locator("#rides tbody tr").last).to_be_visible()  # every ride on the handout
    save(page.screenshot(full_page=True), "quote-print.png")

    # nothing but this server was asked, and no CSP rule was broken
    assert page.requests and all(u.startswith(base) for u in page.requests), page.requests
    assert page.problems == [], page.problems


def test_swagger_ui_works_offline(page, live_server):
    page.goto(live_server.url + "/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 9
    assert all(u.startswith(live_server.url) for u in page.requests), page.requests
    assert page.problems == [], page.problems
