import pytest

from transport.errors import InvalidInput
from transport.insurers import InsurerConfig
from transport.tariffs import PolicyType


def test_brands_of_the_package_configuration():
    cfg = InsurerConfig.load()
    for brand in ("VGZ", "IZA", "Univé", "Zekur", "Bewuzt", "UMC", "Zorgzaam"):
        assert cfg.resolve(brand).concern == "Coöperatie VGZ"
    assert cfg.resolve("unive").brand == "Univé"  # case and accents ignored


def test_products_map_to_policy_types():
    cfg = InsurerConfig.load()
    assert cfg.resolve("VGZ", "Ruime Keuze").policy_type is PolicyType.NATURA
    assert cfg.resolve("vgz", "VGZ Eigen Keuze").policy_type is PolicyType.RESTITUTIE
    assert cfg.resolve("IZA").policy_type is None
    with pytest.raises(InvalidInput) as exc:
        cfg.resolve("VGZ", "Gouden Polis")
    assert exc.value.field == "product"


def test_unknown_brand_and_user_file(tmp_path):
    with pytest.raises(InvalidInput) as exc:
        InsurerConfig.load().resolve("Zilveren Kruis")
    assert exc.value.field == "insurer" and "VGZ" in exc.value.message
    path = tmp_path / "mine.yaml"
    path.write_text("brands:\n  Zilveren Kruis:\n    concern: Achmea\n    products:\n"
                    "      Basis Zeker: natura\n")  # fmt: skip
    ins = InsurerConfig.load(path).resolve("zilveren kruis", "Basis Zeker")
    assert ins.concern == "Achmea" and ins.policy_type is PolicyType.NATURA
    bad = tmp_path / "bad.yaml"
    bad.write_text("brands:\n  X:\n    products:\n      Y: cash\n")
    with pytest.raises(InvalidInput):
        InsurerConfig.load(bad)
    with pytest.raises(InvalidInput):
        InsurerConfig.load(tmp_path / "missing.yaml")
