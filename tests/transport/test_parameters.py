import datetime as dt

import pytest

from transport.errors import ParameterNotFound, ParameterNotInForce
from transport.parameters import ParameterSet


def test_yearly_value_and_provenance():
    ps = ParameterSet()
    used = ps.used("eigen_bijdrage", dt.date(2024, 7, 1))
    assert used.value == 118
    assert used.since == "2024-01-01"
    assert "2.16" in used.source


def test_missing_year_is_an_error_naming_the_parameter():
    ps = ParameterSet()
    with pytest.raises(ParameterNotInForce) as exc:
        ps.value("eigen_bijdrage", dt.date(2026, 3, 1))
    assert "eigen_bijdrage" in str(exc.value)
    assert exc.value.field == "eigen_bijdrage"
    # the year before the first known one is no more known than the year after the last
    with pytest.raises(ParameterNotInForce):
        ps.value("eigen_bijdrage", dt.date(2017, 12, 31))


def test_override_is_used_and_marked():
    ps = ParameterSet().with_overrides(eigen_bijdrage=130)
    used = ps.used("eigen_bijdrage", dt.date(2026, 3, 1))
    assert used.value == 130
    assert used.source == "user override"


def test_user_folder_shadows_package(tmp_path):
    (tmp_path / "eigen_bijdrage.yaml").write_text(
        "description: test\nunit: EUR\nvalues:\n  2026-01-01: {value: 131, until: 2026-12-31}\n"
    )
    ps = ParameterSet(directory=tmp_path)
    assert ps.value("eigen_bijdrage", dt.date(2026, 5, 1)) == 131
    with pytest.raises(ParameterNotInForce):  # the user's file replaces the package's whole file
        ps.value("eigen_bijdrage", dt.date(2025, 5, 1))


def test_open_ended_and_next_start(tmp_path):
    (tmp_path / "x.yaml").write_text(
        "description: x\nunit: km\nvalues:\n  2010-01-01: 200\n  2030-01-01: 250\n"
    )
    ps = ParameterSet(directory=tmp_path)
    assert ps.value("x", dt.date(2029, 12, 31)) == 200
    assert ps.value("x", dt.date(2030, 1, 1)) == 250
    assert ps.value("x", dt.date(2099, 1, 1)) == 250


def test_unknown_parameter():
    with pytest.raises(ParameterNotFound):
        ParameterSet().get("does_not_exist")
