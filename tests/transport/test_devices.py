import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transport.devices import (
    INVOICE_FIELDS,
    Coverage,
    DeviceInvoice,
    PolicyType,
    cents_to_euros,
    device_direct_declaration,
    euros_to_cents,
    invoice_completeness,
    invoice_completeness_frame,
    transport_direct_declaration,
    uncontracted_reimbursement,
)
from transport.errors import InvalidInput, ParameterNotInForce
from transport.parameters import ParameterSet

D = dt.date

# --- cessieverbod -----------------------------------------------------------------------------


def test_uncontracted_basic_device_from_2023_is_rejected_with_instruction():
    d = device_direct_declaration(contracted=False, delivery_date=D(2023, 1, 1))
    assert not d.ok
    assert d.codes == ("DEVICE_CESSIEVERBOD", "DEVICE_INSURED_SUBMITS_INVOICE")
    assert d.reasons[0].vektis == "0613"
    assert "zelf in" in d.details["instruction_nl"]
    assert all("cessieverbod" in r.source.lower() for r in d.reasons)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"contracted": True, "delivery_date": D(2026, 5, 1)}, "DEVICE_CONTRACTED"),
        (
            {"contracted": False, "delivery_date": D(2026, 5, 1), "coverage": "aanvullend"},
            "DEVICE_SUPPLEMENTARY",
        ),
        (
            {
                "contracted": False,
                "delivery_date": D(2022, 12, 31),
                "declaration_date": D(2023, 2, 1),
            },
            "DEVICE_DELIVERED_BEFORE_CESSIEVERBOD",
        ),
        (
            {"contracted": "nee", "delivery_date": "31-12-2022", "coverage": Coverage.BASIC},
            "DEVICE_DELIVERED_BEFORE_CESSIEVERBOD",
        ),
    ],
)
def test_may_declare_directly(kwargs, code):
    d = device_direct_declaration(**kwargs)
    assert d.ok
    assert d.codes == (code,)


def test_boundary_day_and_declaration_date_recorded():
    before = device_direct_declaration(
        contracted=False, delivery_date="2022-12-31", declaration_date="2023-01-02"
    )
    on = device_direct_declaration(contracted=False, delivery_date="2023-01-01")
    assert before.ok and not on.ok
    assert before.details["declaration_date"] == "2023-01-02"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"contracted": None, "delivery_date": "2023-01-01"}, "contracted"),
        ({"contracted": "misschien", "delivery_date": "2023-01-01"}, "contracted"),
        ({"contracted": False, "delivery_date": "gisteren"}, "delivery_date"),
        ({"contracted": False, "delivery_date": "2023-01-01", "coverage": "extra"}, "coverage"),
    ],
)
def test_device_bad_inputs(kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        device_direct_declaration(**kwargs)
    assert exc.value.field == field


@pytest.mark.parametrize(
    ("contracted", "agb", "known", "ok", "codes"),
    [
        (True, None, False, True, ("TRANSPORT_CONTRACTED",)),
        (False, "41012345", True, True, ("TRANSPORT_UNCONTRACTED_DIRECT",)),
        (
            False,
            None,
            True,
            False,
            ("TRANSPORT_NO_VALID_AGB", "TRANSPORT_INSURED_SUBMITS_INVOICE"),
        ),
        (
            False,
            "4101234",
            True,
            False,
            ("TRANSPORT_NO_VALID_AGB", "TRANSPORT_INSURED_SUBMITS_INVOICE"),
        ),
        (
            False,
            "41012345",
            False,
            False,
            ("TRANSPORT_CARRIER_UNKNOWN", "TRANSPORT_INSURED_SUBMITS_INVOICE"),
        ),
        (
            False,
            "",
            False,
            False,
            (
                "TRANSPORT_NO_VALID_AGB",
                "TRANSPORT_CARRIER_UNKNOWN",
                "TRANSPORT_INSURED_SUBMITS_INVOICE",
            ),
        ),
    ],
)
def test_transport_direct_declaration(contracted, agb, known, ok, codes):
    d = transport_direct_declaration(contracted=contracted, agb_code=agb, known_to_insurer=known)
    assert d.ok == ok
    assert d.codes == codes


def test_transport_and_device_differ_for_the_same_uncontracted_provider():
    device = device_direct_declaration(contracted=False, delivery_date="2026-03-01")
    ride = transport_direct_declaration(
        contracted=False, agb_code="41012345", known_to_insurer=True
    )
    assert not device.ok and ride.ok


# --- invoice completeness ---------------------------------------------------------------------

COMPLETE = {
    "provider_name": "J. de Vries",
    "practice_name": "Hoorcentrum Hengelo",
    "practice_address": "Enschedesestraat 1, 7551 AA Hengelo",
    "provider_agb": "12345678",
    "practice_agb": "12500001",
    "insured_name": "P. Jansen",
    "insured_address": "Dorpsstraat 5, 7550 AB Hengelo",
    "customer_number": "K123456",
    "birth_date": "1950-04-01",
    "delivery_date": "2026-10-01",
    "device": "hoortoestel",
}

# which input field's absence gives which reported field
SINGLE_FIELDS = [
    f for f in INVOICE_FIELDS if f not in ("customer_number_or_birth_date", "quantity")
]


def test_complete_invoice():
    d = invoice_completeness(COMPLETE)
    assert d.ok and d.codes == ("INVOICE_COMPLETE",)
    assert d.details["missing"] == [] and d.details["invalid"] == []


@pytest.mark.parametrize("field", SINGLE_FIELDS)
@pytest.mark.parametrize("absent", [None, "", "  "])
def test_each_missing_field_is_reported(field, absent):
    d = invoice_completeness({**COMPLETE, field: absent})
    assert not d.ok
    assert d.codes == ("INVOICE_FIELDS_MISSING",)
    assert d.details["missing"] == [field]
    assert d.details["missing_nl"] == [INVOICE_FIELDS[field]]


def test_every_missing_field_is_listed_in_order():
    d = invoice_completeness({"several": True})
    assert d.details["missing"] == list(INVOICE_FIELDS)
    assert invoice_completeness(DeviceInvoice()).details["missing"] == [
        f for f in INVOICE_FIELDS if f != "quantity"
    ]


def test_customer_number_and_or_birth_date():
    assert invoice_completeness({**COMPLETE, "customer_number": None}).ok
    assert invoice_completeness({**COMPLETE, "birth_date": None}).ok
    both = invoice_completeness({**COMPLETE, "customer_number": None, "birth_date": None})
    assert both.details["missing"] == ["customer_number_or_birth_date"]
    bad_birth = invoice_completeness({**COMPLETE, "birth_date": "31-02-1950"})
    assert bad_birth.details["invalid"] == ["birth_date"]


@pytest.mark.parametrize(
    ("several", "quantity", "missing", "invalid"),
    [
        (False, None, [], []),
        (False, 1, [], []),
        (False, 2, [], []),
        (False, "twee", [], ["quantity"]),
        (True, None, ["quantity"], []),
        (True, 2, [], []),
        (True, "2", [], []),
        (True, 1, [], ["quantity"]),
        (True, 2.5, [], ["quantity"]),
        (True, 0, [], ["quantity"]),
        ("ja", None, ["quantity"], []),
    ],
)
def test_quantity_when_several(several, quantity, missing, invalid):
    d = invoice_completeness({**COMPLETE, "several": several, "quantity": quantity})
    assert d.details["missing"] == missing
    assert d.details["invalid"] == invalid
    assert d.ok == (not missing and not invalid)


def test_malformed_fields_and_registered_name():
    d = invoice_completeness(
        {**COMPLETE, "provider_agb": "1234567", "delivery_date": "binnenkort"},
        registered_practice_name="Hoorcentrum Hengelo B.V.",
    )
    assert d.codes == ("INVOICE_FIELDS_INVALID", "INVOICE_PRACTICE_NAME_NOT_REGISTERED")
    assert d.details["invalid"] == ["provider_agb", "delivery_date"]
    same = invoice_completeness(COMPLETE, registered_practice_name="  hoorcentrum   HENGELO ")
    assert same.ok and same.details["practice_name_registered"] is True


def test_no_personal_data_in_the_decision():
    d = invoice_completeness({**COMPLETE, "device": None, "provider_agb": "x"})
    text = json.dumps(d.to_dict())
    for key in ("insured_name", "insured_address", "birth_date", "customer_number"):
        assert COMPLETE[key] not in text


invoice_values = {
    "provider_name": st.sampled_from(["A", "", None]),
    "practice_name": st.sampled_from(["P", " ", None]),
    "practice_address": st.sampled_from(["Straat 1", None]),
    "provider_agb": st.sampled_from(["12345678", "1234567", 12345678, None]),
    "practice_agb": st.sampled_from(["12500001", "x", None, ""]),
    "insured_name": st.sampled_from(["N", None]),
    "insured_address": st.sampled_from(["Adres", None]),
    "customer_number": st.sampled_from(["K1", None, ""]),
    "birth_date": st.sampled_from(["1950-04-01", "01-04-1950", "nooit", None]),
    "delivery_date": st.sampled_from(["2026-10-01", D(2026, 10, 1), "later", None]),
    "device": st.sampled_from(["rolstoel", None]),
    "quantity": st.sampled_from([None, 1, 2, "3", 2.5, "x", 0, 1.0]),
    "several": st.sampled_from([True, False, "ja", "nee", None, 1, 0]),
}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries(invoice_values), max_size=20))
def test_frame_equals_per_row(records):
    df = pd.DataFrame(records, columns=list(invoice_values)).astype(object)
    out = invoice_completeness_frame(df)
    assert len(out) == len(df)
    for i, record in enumerate(df.to_dict("records")):
        d = invoice_completeness(record)
        assert out["invoice_missing"].iloc[i] == ";".join(d.details["missing"])
        assert out["invoice_invalid"].iloc[i] == ";".join(d.details["invalid"])
        assert out["invoice_complete"].iloc[i] == d.ok


def test_frame_with_mapped_and_absent_columns():
    df = pd.DataFrame({"naam": ["A", None]}, index=["x", "y"])
    out = invoice_completeness_frame(df, columns={"provider_name": "naam"})
    assert list(out.index) == ["x", "y"]
    assert out.loc["x", "invoice_missing"].split(";")[0] == "practice_name"
    assert out.loc["y", "invoice_missing"].split(";")[0] == "provider_name"


# --- reimbursement ----------------------------------------------------------------------------


def test_natura_capped_at_80_percent_of_average_contracted_tariff():
    d = uncontracted_reimbursement(
        policy="natura",
        declared_cents=10_000,
        on=D(2024, 3, 1),
        average_contracted_tariff_cents=11_111,
    )
    # 0.8 x 11111 = 8888.8 -> 8889 cents
    assert d.details["maximum_cents"] == 8889
    assert d.details["reimbursed_cents"] == 8889
    assert d.details["insured_pays_cents"] == 1111
    assert not d.ok and d.codes == ("UNCONTRACTED_CAPPED",)
    assert d.reasons[0].vektis == "0611"
    assert d.parameters[0].name == "natura_uncontracted_share"
    assert "80%" in d.reasons[0].text


def test_natura_within_the_maximum_is_paid_in_full():
    d = uncontracted_reimbursement(
        policy=PolicyType.NATURA,
        declared_cents=8_000,
        on="2026-01-15",
        average_contracted_tariff_cents=10_000,
    )
    assert d.ok and d.codes == ("UNCONTRACTED_PAID_IN_FULL",)
    assert d.details["reimbursed_cents"] == 8_000  # exactly the maximum
    assert d.details["insured_pays_cents"] == 0


def test_restitutie_up_to_the_market_conform_tariff():
    within = uncontracted_reimbursement(
        policy="restitutie",
        declared_cents=12_000,
        on="2026-01-15",
        market_conform_tariff_cents=12_000,
    )
    above = uncontracted_reimbursement(
        policy="restitutie",
        declared_cents=15_000,
        on="2026-01-15",
        market_conform_tariff_cents=6_000,
        quantity=2,
    )
    assert within.ok and within.details["reimbursed_cents"] == 12_000
    assert above.details["maximum_cents"] == 12_000
    assert above.details["reimbursed_cents"] == 12_000
    assert above.parameters[0].name == "restitutie_market_conform_share"


def test_rounding_is_half_up_once():
    ps = ParameterSet().with_overrides(natura_uncontracted_share=0.5)
    d = uncontracted_reimbursement(
        policy="natura",
        declared_cents=100_000,
        on="2026-01-15",
        average_contracted_tariff_cents=101,
        parameters=ps,
    )
    assert d.details["maximum_cents"] == 51  # 50.5 -> 51 (banker's rounding would give 50)
    d3 = uncontracted_reimbursement(
        policy="natura",
        declared_cents=100_000,
        on="2026-01-15",
        average_contracted_tariff_cents=101,
        quantity=3,
        parameters=ps,
    )
    assert d3.details["maximum_cents"] == 152  # 151.5 -> 152: the product is rounded, once


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"policy": "natura", "declared_cents": 100}, "average_contracted_tariff_cents"),
        ({"policy": "restitutie", "declared_cents": 100}, "market_conform_tariff_cents"),
        ({"policy": "combinatie", "declared_cents": 100}, "policy"),
        (
            {"policy": "natura", "declared_cents": -1, "average_contracted_tariff_cents": 1},
            "declared_cents",
        ),
        (
            {"policy": "natura", "declared_cents": 1.5, "average_contracted_tariff_cents": 1},
            "declared_cents",
        ),
        (
            {
                "policy": "natura",
                "declared_cents": 1,
                "average_contracted_tariff_cents": 1,
                "quantity": 0,
            },
            "quantity",
        ),
    ],
)
def test_reimbursement_bad_inputs(kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        uncontracted_reimbursement(on="2026-01-15", **kwargs)
    assert exc.value.field == field


def test_share_not_in_force_before_2023():
    with pytest.raises(ParameterNotInForce):
        uncontracted_reimbursement(
            policy="natura", declared_cents=1, on="2022-06-01", average_contracted_tariff_cents=1
        )


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["natura", "restitutie"]),
    st.integers(min_value=0, max_value=10**8),
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=1, max_value=20),
)
def test_reimbursement_invariants(policy, declared, tariff, quantity):
    d = uncontracted_reimbursement(
        policy=policy,
        declared_cents=declared,
        on="2026-01-15",
        average_contracted_tariff_cents=tariff,
        market_conform_tariff_cents=tariff,
        quantity=quantity,
    )
    det = d.details
    share = Decimal("0.8") if policy == "natura" else Decimal(1)
    assert abs(Decimal(det["maximum_cents"]) - share * tariff * quantity) <= Decimal("0.5")
    assert det["reimbursed_cents"] == min(declared, det["maximum_cents"])
    assert det["reimbursed_cents"] + det["insured_pays_cents"] == declared
    assert d.ok == (det["insured_pays_cents"] == 0)


def test_money_helpers():
    assert euros_to_cents("12.345") == 1235
    assert euros_to_cents("0.125") == 13  # half up
    assert euros_to_cents("12,34") == 1234
    assert euros_to_cents(0.1) == 10
    assert euros_to_cents(Decimal("7")) == 700
    assert cents_to_euros(1235) == Decimal("12.35")
    for bad in ("twaalf", "NaN", True):
        with pytest.raises(InvalidInput):
            euros_to_cents(bad)
