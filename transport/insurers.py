"""Insurer brand labels and their policy types, read from configuration (``data/insurers.yaml``).

Brands (VGZ, IZA, Univé, Zekur, Bewuzt, UMC, Zorgzaam, ...) are data, not code: a user adds a
brand or a product by passing their own copy of the file. A brand resolves to its concern and,
when a product is named that the file knows, to the product's policy type.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from transport.errors import InvalidInput
from transport.inputs import parse_enum
from transport.tariffs import PolicyType


def _key(text: str) -> str:
    norm = unicodedata.normalize("NFKD", str(text).strip().casefold())
    return "".join(c for c in norm if not unicodedata.combining(c))


@dataclass(frozen=True)
class Insurer:
    """A resolved insurer brand.

    Attributes
    ----------
    brand : str
        The brand label as written in the configuration.
    concern : str
        The concern whose rules apply.
    product : str, optional
        The product (policy name), when given.
    policy_type : PolicyType, optional
        The product's policy type, when the configuration knows it.
    """

    brand: str
    concern: str
    product: str | None = None
    policy_type: PolicyType | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "brand": self.brand,
            "concern": self.concern,
            "product": self.product,
            "policy_type": self.policy_type.value if self.policy_type else None,
        }


@dataclass(frozen=True)
class InsurerConfig:
    """Brands with their concern and products.

    Attributes
    ----------
    brands : dict
        ``{brand: {"concern": str, "products": {product: policy type}}}``.
    source : str
        File the configuration was read from.
    """

    brands: dict[str, dict[str, Any]]
    source: str = "insurers.yaml"

    @classmethod
    def load(cls, path: str | Path | None = None) -> InsurerConfig:
        """Read a configuration file (default: the package's ``data/insurers.yaml``).

        Raises
        ------
        InvalidInput
            For a missing or malformed file (``field="insurers"``).
        """
        if path is None:
            from routing import settings

            path = Path(settings.data_dir) / "insurers.yaml"
        path = Path(path)
        if not path.is_file():
            raise InvalidInput(f"insurer configuration {path.name} not found", field="insurers")
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        brands = raw.get("brands")
        if not isinstance(brands, dict) or not brands:
            raise InvalidInput(f"{path.name} has no 'brands' mapping", field="insurers")
        clean: dict[str, dict[str, Any]] = {}
        for brand, entry in brands.items():
            entry = entry or {}
            products = {
                str(name): parse_enum(PolicyType, kind, f"policy type of {brand} {name}")
                for name, kind in (entry.get("products") or {}).items()
            }
            clean[str(brand)] = {"concern": str(entry.get("concern", brand)), "products": products}
        return cls(clean, source=path.name)

    def resolve(self, brand: str, product: str | None = None) -> Insurer:
        """Return the brand (matched ignoring case and accents) and, if known, the policy type.

        Raises
        ------
        InvalidInput
            For an unknown brand (``field="insurer"``) or product (``field="product"``).
        """
        matches = [n for n in self.brands if _key(n) == _key(brand)]
        if not matches:
            raise InvalidInput(
                f"unknown insurer brand {brand!r}; {self.source} knows "
                f"{', '.join(self.brands)} (add yours to a copy of the file)",
                field="insurer",
            )
        name = matches[0]
        entry = self.brands[name]
        policy_type = None
        product_name = None
        if product is not None:
            wanted = _key(product).removeprefix(_key(name)).strip()
            for pname, kind in entry["products"].items():
                if _key(pname) == wanted:
                    product_name, policy_type = pname, kind
                    break
            else:
                known = ", ".join(entry["products"]) or "none"
                raise InvalidInput(
                    f"unknown product {product!r} of {name}; {self.source} knows: {known}",
                    field="product",
                )
        return Insurer(name, entry["concern"], product_name, policy_type)
