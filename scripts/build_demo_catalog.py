"""Build resources/catalog/demo_catalog.csv (the CONTRACTS.md catalog format) from the shared lookfantastic data.

Run: python scripts/build_demo_catalog.py ../shared/data/catalog/lookfantastic_skincare_products_clean_1138.csv
Why a script: the shipped demo file must be reproducible from its source. Body and bath products are left out
(not face care); brands are split from the product name by a curated list of multi-word brands, otherwise the
first word; prices are the source's GBP; the id is the retailer's numeric product id from the URL.
Nothing is invented: no tags or skin types are added that the source does not state, except `spf` when the
product name states an SPF (and does not say "No SPF").
"""

from __future__ import annotations

import ast
import csv
import re
import sys
from pathlib import Path

MULTIWORD_BRANDS = [
    "The Ordinary", "La Roche-Posay", "First Aid Beauty", "Estée Lauder", "The Chemistry Brand", "The INKEY List",
    "Elizabeth Arden", "Skin Doctors", "Mama Mio", "Erno Laszlo", "Fade Out", "REN Clean Skincare", "Pai Skincare",
    "Liz Earle", "Neal's Yard Remedies", "By Terry", "Sanctuary Spa", "Peter Thomas Roth", "Holika Holika",
    "Aurelia Probiotic Skincare", "Dr Dennis Gross", "Bobbi Brown", "Indeed Labs", "The Organic Pharmacy",
    "Sarah Chapman", "Bondi Sands", "BBB London", "L'Oréal Paris", "L’Oréal Paris", "L'Oréal Men Expert",
    "Balance Me", "Manuka Doctor", "Revolution Skincare", "Sea Magik", "Emma Hardie", "Eve Lom", "Natura Bissé",
    "Laura Mercier", "Avant Skincare", "The Ritual", "Burt's Bees", "Dr. PAWPAW", "yes to", "Frank Body",
    "Spa Magik Organiks", "Oh K!", "Dear, Klairs", "BARBER PRO", "Radical Skincare", "Goldfaden MD",
    "Comfort Zone", "Perricone MD", "Bubble T", "L:A BRUKET", "Molton Brown", "Jo Malone London", "Shea Moisture",
    "Sol de Janeiro", "Aromatherapy Associates", "Egyptian Magic", "Bloom and Blossom", "Bloom & Blossom",
    "Dr. Jart+", "Nature Republic", "Kiehl's", "Rodial", "Clinique for Men", "Lanolips",
]
CATEGORY = {
    "Moisturiser": "moisturizer", "Serum": "serum", "Cleanser": "cleanser", "Toner": "toner", "Mask": "mask",
    "Eye Care": "eye", "Mist": "toner", "Oil": "oil", "Balm": "moisturizer", "Exfoliator": "exfoliant",
    "Peel": "exfoliant",
}
SKIPPED = {"Body Wash", "Bath Salts", "Bath Oil"}
FIELDS = ["id", "brand", "name", "category", "price", "currency", "size", "ingredients", "url", "image_url",
          "skin_types", "tags"]


def split_brand(title: str) -> tuple[str, str]:
    for brand in sorted(MULTIWORD_BRANDS, key=len, reverse=True):
        if title.startswith(brand + " "):
            return brand, title[len(brand):].strip()
    first, _, rest = title.partition(" ")
    return first, rest.strip()


def category_of(product_type: str, title: str) -> str:
    category = CATEGORY[product_type]
    if re.search(r"\blip", title, re.I):  # lip balms and lip masks are not face-skin steps
        return "other"
    if category in {"oil", "moisturizer"} and re.search(r"cleans", title, re.I):
        return "cleanser"
    return category


def convert(source: Path, target: Path) -> int:
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for record in csv.DictReader(source.open(encoding="utf-8")):
        if record["product_type"] in SKIPPED:
            continue
        title = record["product_name"].strip()
        brand, name = split_brand(title)
        pid = re.search(r"/(\d+)\.html", record["product_url"])
        size = re.search(r"(\d+(?:\.\d+)?\s?(?:ml|g|x\s?\d+ml))\b", title, re.I)
        ingredients = ast.literal_eval(record["clean_ingreds"])
        pid_text = f"lf-{pid.group(1)}" if pid else f"lf-{len(rows)}"
        if pid_text in seen:  # the retailer lists sizes of one product under one URL
            pid_text = f"{pid_text}-{(size.group(1) if size else len(rows)).replace(' ', '').lower()}"
        seen.add(pid_text)
        rows.append({
            "id": pid_text,
            "brand": brand, "name": name, "category": category_of(record["product_type"], title),
            "price": record["price"].lstrip("£"), "currency": "GBP", "size": size.group(1) if size else "",
            "ingredients": ", ".join(i.strip() for i in ingredients), "url": record["product_url"],
            "image_url": "", "skin_types": "",
            "tags": "spf" if re.search(r"(?<!No )\bSPF(?![a-z])", title, re.I) else "",
        })
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    src = Path(sys.argv[1] if len(sys.argv) > 1 else
        "../shared/data/catalog/lookfantastic_skincare_products_clean_1138.csv")
    out = Path(__file__).resolve().parent.parent / "resources" / "catalog" / "demo_catalog.csv"
    print(f"wrote {convert(src, out)} products to {out}")
