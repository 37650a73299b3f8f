"""The Dutch page: labelled form, server-rendered result equal to the API's, errors per field."""

from __future__ import annotations

import json
import re
from html import escape
from html.parser import HTMLParser

import pytest

from tests.web.conftest import HOME, ZGT, quote_body

pytestmark = pytest.mark.shared

FORM = {
    "home": HOME,
    "treatment": ZGT,
    "plan": "series",
    "series_start": "2025-09-01",
    "weekdays": ["mon", "wed", "fri"],
    "series_months": "3",
    "indication": "dialysis",
    "purpose": "treatment",
    "insurer": "VGZ",
    "product": "Ruime Keuze",
    "mode": "taxi",
    "carrier": "Voorbeeld Zorgtaxi Twente",
    "carrier_contracted": "",
    "companions": "0",
    "auth_number": "M2025-001",
}


class Elements(HTMLParser):
    """Collect elements with their attributes, and the text of elements with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.label_depth = 0
        self.wrapped: set[str] = set()
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "label":
            self.label_depth += 1
        if tag in {"input", "select"} and self.label_depth and a.get("id"):
            self.wrapped.add(a["id"])
        if tag not in {"input", "meta", "link", "br", "img"}:
            self._open.append(a.get("id"))
            if a.get("id"):
                self.text[a["id"]] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1
        if tag not in {"input", "meta", "link", "br", "img"} and self._open:
            self._open.pop()

    def handle_data(self, data):
        for ident in self._open:
            if ident:
                self.text[ident] += data


def parse(html: str) -> Elements:
    p = Elements()
    p.feed(html)
    return p


def test_page_is_dutch_and_every_field_has_a_label(client):
    res = client.get("/")
    assert res.status_code == 200
    assert '<html lang="nl">' in res.text
    assert "Bereken offerte" in res.text and "Woonadres" in res.text
    page = parse(res.text)
    labels = {a.get("for") for t, a in page.tags if t == "label"}
    fields = [
        a for t, a in page.tags if t in {"input", "select"} and a.get("type") not in {"hidden"}
    ]
    assert len(fields) > 25
    for a in fields:
        assert a["id"] in labels or a["id"] in page.wrapped, f"no label for {a['id']}"
    # no third-party resources in the page
    for t, a in page.tags:
        for attr in ("src", "href"):
            value = a.get(attr)
            if value is not None and t in {"script", "link", "img"}:
                assert value.startswith("/"), value


def test_form_result_equals_the_api(client):
    api = client.post("/api/quote", json=quote_body()).json()
    res = client.post("/", data=FORM)
    assert res.status_code == 200, res.text[:2000]
    page = parse(res.text)
    values = {a["id"]: a.get("data-value") for t, a in page.tags if a.get("id")}
    t = api["totals"]
    assert values["total-price"] == t["price_eur"]
    assert values["total-insurer"] == t["insurer_pays_eur"]
    assert values["total-patient"] == t["patient_pays_eur"]
    assert values["total-contribution"] == t["contribution_eur"]
    assert values["ride-price"] == api["rides"][0]["price_eur"]
    assert float(values["loaded-km"]) == api["trip"]["loaded_km"]
    assert float(values["outbound-km"]) == api["trip"]["outbound"]["distance_m"]
    assert float(values["inbound-km"]) == api["trip"]["inbound"]["distance_m"]
    # shown the Dutch way
    euros, cents = t["price_eur"].split(".")
    assert f"{int(euros):,}".replace(",", ".") + "," + cents in page.text["total-price"]
    rows = [a for tag, a in page.tags if tag == "tr" and a.get("data-ride")]
    assert len(rows) == t["rides"] == 39
    assert 'id="route-data"' in res.text and '"LineString"' in res.text
    assert "Hardheidsclausule" not in page.text.get("rules", "")  # dialysis: no hardship


def test_form_keeps_the_input_and_marks_errors(client):
    res = client.post("/", data={**FORM, "home": "52.0,4.0"})
    assert res.status_code == 422
    page = parse(res.text)
    home = next(a for t, a in page.tags if a.get("id") == "home")
    assert home["value"] == "52.0,4.0" and home.get("aria-invalid") == "true"
    assert "OutsideMap" in res.text and 'role="alert"' in res.text
    res = client.post("/", data={**FORM, "weekdays": []})
    assert res.status_code == 400
    weekdays = parse(res.text).text["weekdays-error"]
    assert weekdays.strip()


def test_form_missing_eigen_bijdrage_then_given(client):
    form = {**FORM, "plan": "dates", "ride_date": "2026-12-01"}
    res = client.post("/", data=form)
    assert res.status_code == 422
    assert 'id="eigen_bijdrage" name="eigen_bijdrage"' in res.text
    assert parse(res.text).text["eigen_bijdrage-error"].strip()
    res = client.post("/", data={**form, "eigen_bijdrage": "130"})
    assert res.status_code == 200
    api = client.post(
        "/api/quote",
        json=quote_body(series=None, dates=["2026-12-01"], eigen_bijdrage={"2026": 130}),
    ).json()
    values = {a["id"]: a.get("data-value") for t, a in parse(res.text).tags if a.get("id")}
    assert values["total-patient"] == api["totals"]["patient_pays_eur"]


def test_hardship_computation_is_shown(client):
    form = {**FORM, "indication": "hardship", "auth_number": ""}
    res = client.post("/", data=form)
    assert res.status_code == 200, res.text[:3000]
    page = parse(res.text)
    assert "3 x 3 x" in page.text["hardship-formula"]
    assert "Hardheidsclausule" in page.text["hardship-title"]


# --- HEAD, Dutch reason labels ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/docs"])
def test_head_answers_like_get(client, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for header in ("content-type", "content-security-policy", "x-content-type-options"):
        assert head.headers[header] == get.headers[header]


def test_head_on_the_live_server(live_server):
    import httpx

    res = httpx.head(live_server.url + "/", timeout=10)
    assert res.status_code == 200 and res.content == b""
    assert res.headers["content-type"].startswith("text/html")


REASON = re.compile(r'<p class="reason" data-code="([A-Z_]+)">(.*?)</p>', re.S)


def _reasons(html: str) -> dict[str, str]:
    return {code: body for code, body in REASON.findall(html)}


def test_reasons_are_shown_in_dutch_with_their_code(client):
    from ziekenvervoer.web.pages import REASON_LABELS

    extra = {"carrier_contracted": False, "companions": 1, "companion_necessary": True}
    form = {**FORM, "carrier_contracted": "no", "companions": "1",
            "companion_necessary": "yes"}  # fmt: skip
    res = client.post("/", data=form)
    assert res.status_code == 200, res.text[:2000]
    shown = _reasons(res.text)
    assert {"INDICATION_OK", "DISTANCE_WITHIN_CAP", "AUTH_VALID", "COMPANION_NECESSARY",
            "RATE_CAPPED", "CONTRIBUTION_CHARGED"} <= set(shown)  # fmt: skip
    api = client.post("/api/quote", json=quote_body(**extra)).json()
    english = {r["code"]: r["text"] for d in api["rides"][0]["decisions"] for r in d["reasons"]}
    for code, body in shown.items():
        assert f"<code>{code}</code>" in body  # the code stays visible
        label = REASON_LABELS[code]
        assert f'<span class="reason-nl">{escape(label)}</span>' in body, code
        # the English text (with the numbers) stays as detail, marked as English
        assert f'<span class="reason-detail" lang="en">{escape(english[code])}</span>' in body
    # the JSON API stays English
    assert english["RATE_CAPPED"].startswith("uncontracted carrier")
    assert "Vergoeding begrensd" not in json.dumps(api)
    # the rides table explains each code in Dutch on hover
    assert f'<abbr title="{escape(REASON_LABELS["RATE_CAPPED"])}">RATE_CAPPED</abbr>' in res.text


def test_hardship_reasons_are_in_dutch(client):
    form = {**FORM, "indication": "hardship", "auth_number": "", "series_months": "13",
            "hardship_months": "13", "hardship_per_week": "3"}  # fmt: skip
    res = client.post("/", data={**form, "series_until": ""})
    assert res.status_code == 200, res.text[:3000]
    shown = _reasons(res.text)
    assert "HARDSHIP_MONTHS_CAPPED" in shown, sorted(shown)  # in the hardship section
    assert all('<span class="reason-nl">' in body for body in shown.values()), shown


def test_every_reason_code_of_a_quote_has_a_dutch_label():
    """Every code the quote's rules can give (read from their source) has a label."""
    from tests.conftest import PROJECT_ROOT
    from ziekenvervoer.web.pages import REASON_LABELS

    rules = ("indications", "distance", "authorisation", "companion", "tariffs", "contribution",
             "hardship")  # fmt: skip
    pattern = re.compile(
        r'"((?:INDICATION|DISTANCE|AUTH|COMPANION|RATE|CONTRIBUTION|HARDSHIP)_[A-Z_]+)"'
    )
    codes = set()
    for module in rules:
        codes |= set(pattern.findall((PROJECT_ROOT / "transport" / f"{module}.py").read_text()))
    assert len(codes) > 30
    assert codes <= set(REASON_LABELS), sorted(codes - set(REASON_LABELS))
