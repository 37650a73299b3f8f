"""The audit on a local Dask cluster (2 worker processes) equals the single-process audit."""

from __future__ import annotations

import pandas as pd
import pytest

from routing.router import Router
from tests.conftest import shared_path
from transport.audit import audit
from transport.tariffs import TariffTable

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

TODAY = "2026-01-15"


def declarations(homes: list[tuple[float, float]]) -> pd.DataFrame:
    rows = []
    for i in range(60):
        home = homes[i % len(homes)]
        rows.append(
            {
                "declaration_id": f"D{i:03d}",
                "bsn": ["111222333", "123456782", "111222334"][i % 3],
                "naam": f"patient {i % 3}",
                "carrier_agb": "41012345",
                "carrier": "Voorbeeld Zorgtaxi Twente",
                "carrier_contracted": "ja",
                "authorisation_number": f"M{i % 3}",
                "ride_date": f"2025-03-{1 + (i // 3) % 20:02d}",
                "declaration_date": "2025-12-31",
                "home_lat": f"{home[0]:.6f}",
                "home_lon": f"{home[1]:.6f}",
                "treatment_lat": "52.2638",
                "treatment_lon": "6.7708",
                "declared_km": str(8 + i % 5),
                "declared_amount": f"{20 + i % 7}.00",
                "mode": ["taxi", "own_car", "public_transport"][i % 3],
                "policy_type": "natura",
            }
        )
    # duplicates that land in other partitions than their originals
    rows.append(dict(rows[0], declaration_id="DUP-A"))
    rows.append(dict(rows[4], declaration_id="DUP-B"))
    rows.insert(30, dict(rows[58], declaration_id="DUP-C"))  # before its original
    rows.append(dict(rows[5], declaration_id="BAD", ride_date="31-02-2025", home_lat="abc"))
    return pd.DataFrame(rows).astype(object)


@pytest.fixture(scope="module")
def setup():
    hengelo = shared_path("osm", "hengelo.osm.pbf")
    trips = pd.read_csv(shared_path("reference", "trips.csv"))
    h = trips[(trips["region"] == "hengelo") & (trips["kind"] == "home_to_hospital")].head(7)
    homes = [(float(r.origin_lat), float(r.origin_lon)) for r in h.itertuples()]
    return hengelo, declarations(homes)


def test_dask_equals_single_process(setup):
    from distributed import Client, LocalCluster

    from transport.audit_dask import RouterPlugin, audit_dask, loaded_routers

    hengelo, df = setup
    options = {"today": TODAY, "tariffs": TariffTable.example(), "salt": "dask-test-salt"}
    single = audit(df, Router.from_file(hengelo), chunk_size=7, **options)
    with (
        dask.config.set({"dataframe.convert-string": False}),
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.register_plugin(RouterPlugin(hengelo))
        ddf = dd.from_pandas(df, npartitions=5)
        result = audit_dask(ddf, hengelo, **options)
        rows = result.rows.compute()
        loads = client.run(loaded_routers)
    pd.testing.assert_frame_equal(rows, single.rows)
    assert result.summary == single.summary
    # the router was loaded once per worker, not per task or partition
    assert sorted(loads.values()) == [1, 1]
    by_id = rows.set_index("declaration_id")
    assert by_id.loc["DUP-A", "duplicate_of_row"] == by_id.loc["D000", "row_number"]
    assert by_id.loc["DUP-B", "duplicate_of_row"] == by_id.loc["D004", "row_number"]
    # DUP-C comes first (partition 2), so the later D058 (partition 5) is its duplicate
    assert pd.isna(by_id.loc["DUP-C", "duplicate_of_row"])
    assert by_id.loc["D058", "duplicate_of_row"] == by_id.loc["DUP-C", "row_number"]
    bad = rows.loc[rows["declaration_id"] == "BAD"].iloc[0]
    assert bad["verdict"] == "reject" and "PARSE_HOME_INVALID" in bad["reason_codes"]
