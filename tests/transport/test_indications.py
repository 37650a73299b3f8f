import datetime as dt

import pytest

from transport.errors import InvalidInput
from transport.hardship import check_hardship
from transport.indications import Indication, IndicationCase, check_indication

D = dt.date
RIDE = D(2025, 3, 3)


@pytest.mark.parametrize(
    "indication",
    ["dialysis", "wheelchair", "visually_impaired", "geriatric_rehabilitation",
     "gzsp_group_day_treatment"],
)  # fmt: skip
def test_plain_categories(indication):
    d = check_indication(IndicationCase(indication), RIDE)
    assert d.ok and d.rule == "indication" and d.codes == ("INDICATION_OK",)
    assert "2.14" in d.reasons[0].source


def test_unknown_category_lists_choices():
    with pytest.raises(InvalidInput) as exc:
        IndicationCase("physiotherapy")
    assert exc.value.field == "indication" and "dialysis" in exc.value.message


def test_oncology_needs_a_therapy():
    assert not check_indication(IndicationCase("oncology"), RIDE).ok
    for therapy in ("chemotherapy", "radiotherapy", "immunotherapy"):
        assert check_indication(IndicationCase("oncology", therapy=therapy), RIDE).ok


def test_immunotherapy_from_2018():
    case = IndicationCase("oncology", therapy="immunotherapy")
    assert not check_indication(case, D(2017, 12, 31)).ok
    assert check_indication(case, D(2018, 1, 1)).ok
    assert check_indication(IndicationCase("oncology", therapy="chemotherapy"), D(2017, 6, 1)).ok


def test_consultations_from_2019():
    for case in (
        IndicationCase("dialysis", purpose="consultation"),
        IndicationCase("oncology", purpose="consultation", therapy="chemotherapy"),
    ):
        d = check_indication(case, D(2018, 12, 31))
        assert not d.ok and d.codes == ("INDICATION_CONSULTATION_NOT_YET_COVERED",)
        assert d.reasons[0].vektis == "0613"
        assert check_indication(case, D(2019, 1, 1)).ok


def test_visually_impaired_who_can_travel_alone():
    d = check_indication(IndicationCase("visually_impaired", cannot_travel_alone=False), RIDE)
    assert not d.ok


def test_child_intensive_care_age_17_vs_18_on_ride_date():
    born = D(2007, 3, 3)  # 18th birthday on 2025-03-03
    case = IndicationCase("child_intensive_care", birth_date=born)
    d17 = check_indication(case, D(2025, 3, 2))
    d18 = check_indication(case, D(2025, 3, 3))
    assert d17.ok and d17.details["age"] == 17
    assert not d18.ok and d18.details["age"] == 18 and d18.codes == ("INDICATION_CHILD_TOO_OLD",)
    assert d17.parameters[0].name == "child_intensive_care_age_limit"
    assert not check_indication(case, D(2015, 12, 31)).ok  # before the category existed
    with pytest.raises(InvalidInput) as exc:
        IndicationCase("child_intensive_care")
    assert exc.value.field == "birth_date"


def test_hardship_follows_the_hardship_decision():
    yes = check_hardship(5, 2, 25, RIDE)
    no = check_hardship(5, 2, 24.99, RIDE)
    d_yes = check_indication(IndicationCase(Indication.HARDSHIP, hardship=yes), RIDE)
    d_no = check_indication(IndicationCase(Indication.HARDSHIP, hardship=no), RIDE)
    assert d_yes.ok and not d_no.ok
    assert d_no.codes == ("INDICATION_HARDSHIP_NOT_MET",)
    assert "249.9" in d_no.reasons[0].text
    assert {p.name for p in d_yes.parameters} == {"hardship_threshold", "hardship_month_cap"}
    with pytest.raises(InvalidInput) as exc:
        IndicationCase("hardship")
    assert exc.value.field == "hardship"
