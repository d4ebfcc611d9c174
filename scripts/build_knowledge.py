"""Compile the ingredient knowledge the app ships (resources/knowledge/knowledge.json) from ../shared/data.

python scripts/build_knowledge.py [SHARED_DATA_DIR]

Why a build step: the app must work offline from `resources/` alone, and what it ships must be reproducible
from the sources named in resources/ATTRIBUTION.md. The app never reads ../shared.

What goes in:
- actives: concern → ingredient → evidence grade, from the Vallydia Ingredient-Evidence Register (cosmetic
  compounds; outcomes mapped to our concerns by the keyword rules in OUTCOME_RULES), plus CURATED actives the
  register lacks (salicylic acid, benzoyl peroxide, AHAs, caffeine, ...) each with a citation;
- fragrance allergens (EU Annex III labelling list), Annex II prohibited substances, comedogenic and
  irritancy ratings (+ the pore-clogging list), and the free-from families (regexes) of says-on-the-tin.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

CONCERN_RULES = [  # (concern, regex on the outcome text); first match wins per concern
    ("acne", r"\bacne\b"),
    ("redness", r"rosacea|redness|reactive skin"),
    ("dark_spots", r"hyperpigment|\bpih\b|melasma|dark spot|uneven tone|sun spots|age spots"),
    ("wrinkles", r"wrinkle|fine lines|photoag|expression lines"),
    ("texture", r"texture|roughness|smoothness"),
    ("pores", r"\bpore"),
    ("oiliness", r"sebum|oiliness"),
    ("hydration", r"hydration|\btewl\b|barrier|dry skin|moisture retention"),
]
SKIP_OUTCOME = r"oral|systemic|inject|mechanism|in.vitro|equivalen|\"|safety|tolerab|comparative|comparable|" \
               r"superiority|stability|hair|regulatory|penetration|standalone|isolated"

# register slug -> INCI names (normalised) that carry its evidence; a second list gets the grade one step down
INCI = {
    "niacinamide": (["niacinamide"], []),
    "azelaic-acid": (["azelaic acid"], ["potassium azeloyl diglycinate"]),
    "retinol": (["retinol"], ["retinyl palmitate", "retinyl acetate", "hydroxypinacolone retinoate",
                              "retinyl retinoate"]),
    "vitamin-c": (["ascorbic acid"], ["sodium ascorbyl phosphate", "magnesium ascorbyl phosphate",
                                      "ascorbyl glucoside", "3-o-ethyl ascorbic acid", "ethyl ascorbic acid",
                                      "tetrahexyldecyl ascorbate", "ascorbyl tetraisopalmitate"]),
    "tranexamic-acid": (["tranexamic acid"], []),
    "alpha-arbutin": (["alpha-arbutin"], ["arbutin"]),
    "kojic-acid": (["kojic acid"], []),
    "bakuchiol": (["bakuchiol"], []),
    "hyaluronic-acid": (["sodium hyaluronate", "hyaluronic acid"],
                        ["hydrolyzed hyaluronic acid", "sodium acetylated hyaluronate",
                         "hydrolyzed sodium hyaluronate", "sodium hyaluronate crosspolymer"]),
    "ceramides": (["ceramide np", "ceramide ap", "ceramide eop", "ceramide ns", "ceramide as", "ceramide 3",
                   "ceramide 1", "ceramide 6 ii"], []),
    "squalane": (["squalane"], []),
    "ghk-cu": (["copper tripeptide-1"], []),
    "matrixyl": (["palmitoyl pentapeptide-4"], []),
    "argireline": (["acetyl hexapeptide-8", "acetyl hexapeptide-3"], []),
    "snap-8": (["acetyl octapeptide-3"], []),
    "syn-ake": (["dipeptide diaminobutyroyl benzylamide diacetate"], []),
    "palmitoyl-tripeptide-1-5": (["palmitoyl tripeptide-1", "palmitoyl tripeptide-5"], []),
    "ectoin": (["ectoin"], []),
    "naringenin": (["naringenin"], []),
}
CURATED = [  # (concern, INCI names, grade, display, citation) for actives the register lacks
    ("acne", ["salicylic acid"], "B", "salicylic acid",
     "Arif T. Salicylic acid as a peeling agent: a comprehensive review. Clin Cosmet Investig Dermatol 2015;8:455-61"),
    ("pores", ["salicylic acid"], "B", "salicylic acid", "Arif 2015, as above"),
    ("oiliness", ["salicylic acid"], "C", "salicylic acid", "Arif 2015, as above"),
    ("texture", ["salicylic acid"], "C", "salicylic acid", "Arif 2015, as above"),
    ("acne", ["benzoyl peroxide"], "A", "benzoyl peroxide",
     "Zaenglein AL et al. Guidelines of care for the management of acne vulgaris. J Am Acad Dermatol 2016;74:945-73"),
    ("texture", ["glycolic acid"], "B", "glycolic acid (AHA)",
     "Tang SC, Yang JH. Dual effects of alpha-hydroxy acids on the skin. Molecules 2018;23:863"),
    ("dark_spots", ["glycolic acid"], "C", "glycolic acid (AHA)", "Tang & Yang 2018, as above"),
    ("wrinkles", ["glycolic acid"], "C", "glycolic acid (AHA)", "Tang & Yang 2018, as above"),
    ("texture", ["lactic acid"], "B", "lactic acid (AHA)", "Tang & Yang 2018, as above"),
    ("hydration", ["lactic acid"], "C", "lactic acid (AHA)", "Tang & Yang 2018, as above"),
    ("texture", ["mandelic acid"], "C", "mandelic acid (AHA)", "Tang & Yang 2018, as above"),
    ("dark_circles", ["caffeine"], "C", "caffeine",
     "Herman A, Herman AP. Caffeine's mechanisms of action and its cosmetic use. Skin Pharmacol Physiol 2013;26:8-14"),
    ("oiliness", ["zinc pca", "zinc gluconate"], "C", "zinc",
     "Gupta M et al. Zinc therapy in dermatology: a review. Dermatol Res Pract 2014:709152"),
    ("acne", ["zinc pca", "zinc gluconate"], "C", "zinc", "Gupta et al. 2014, as above"),
    ("acne", ["sulfur"], "C", "sulfur",
     "Gupta AK, Nicol K. The use of sulfur in dermatology. J Drugs Dermatol 2004;3:427-31"),
    ("hydration", ["urea"], "A", "urea",
     "Pan M et al. Urea: a comprehensive review of the clinical literature. Dermatol Online J 2013;19:20392"),
    ("hydration", ["glycerin"], "A", "glycerin",
     "Fluhr JW et al. Glycerol and the skin: holistic approach to its origin and functions. "
     "Br J Dermatol 2008;159:23-34"),
    ("hydration", ["panthenol"], "B", "panthenol",
     "Proksch E et al. Topical use of dexpanthenol: a 70th anniversary article. J Dermatolog Treat 2017;28:766-73"),
    ("redness", ["panthenol"], "C", "panthenol", "Proksch et al. 2017, as above"),
    ("redness", ["centella asiatica extract", "madecassoside", "asiaticoside", "centella asiatica leaf extract"],
     "C", "centella asiatica",
     "Bylka W et al. Centella asiatica in cosmetology. Postepy Dermatol Alergol 2013;30:46-9"),
    ("wrinkles", ["retinal"], "B", "retinal",
     "Sorg O et al. Retinoids in cosmeceuticals. Dermatol Ther 2006;19:289-96"),
]
GRADES = "ABCDEF"


def norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", text.lower().replace("*", "")).strip().strip(".").strip()


def register_actives(register: Path) -> list[dict[str, str]]:
    compounds = {r["slug"]: r for r in csv.DictReader((register / "compounds.csv").open(encoding="utf-8"))}
    best: dict[tuple[str, str], dict[str, str]] = {}
    for row in csv.DictReader((register / "grades.csv").open(encoding="utf-8")):
        slug, outcome, grade = row["slug"], row["outcome"], row["grade"].strip()
        if slug not in INCI or grade not in GRADES or re.search(SKIP_OUTCOME, outcome, re.I):
            continue
        for concern, pattern in CONCERN_RULES:
            if not re.search(pattern, outcome, re.I):
                continue
            primary, derived = INCI[slug]
            lower = GRADES[min(len(GRADES) - 1, GRADES.index(grade) + 1)]
            for names, g in ((primary, grade), (derived, lower)):
                for inci in names:
                    key = (concern, inci)
                    if key not in best or GRADES.index(g) < GRADES.index(best[key]["grade"]):
                        best[key] = {"concern": concern, "ingredient": inci, "grade": g,
                                     "display": compounds[slug]["name"].split(" (")[0].lower(),
                                     "source": f"Vallydia register: {outcome} ({grade})"}
    return list(best.values())


def curated_actives() -> list[dict[str, str]]:
    return [{"concern": concern, "ingredient": inci, "grade": grade, "display": display, "source": citation}
            for concern, names, grade, display, citation in CURATED for inci in names]


def fragrance_allergens(path: Path) -> list[str]:
    names: set[str] = set()
    for row in csv.DictReader(path.open(encoding="utf-8")):
        for field in ("Name of Common Ingredients Glossary", "Chemical name / INN"):
            for part in re.split(r";|\n", row[field]):
                if norm(part) and norm(part) != "-":
                    names.add(norm(part))
    return sorted(names)


def annex_ii(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        for _ in range(4):
            fh.readline()
        rows = list(csv.DictReader(fh))
    names = set()
    for row in rows:
        # the INCI names the Commission identified for the entry, e.g. "HYDROQUINONE,HYDROQUINONE"
        for part in (row.get("Identified INGREDIENTS or substances e.g.") or "").split(","):
            if 3 <= len(norm(part)) <= 80:
                names.add(norm(part))
        chemical = row.get("Chemical name / INN") or ""
        chemical = re.split(r",\s+(?:with the exception|except|when|if)\b|\s+and its (?:salts|esters)", chemical)[0]
        chemical = chemical.replace("(INN)", "")
        for alias in re.findall(r"\(([^()]{3,60})\)", chemical):
            names.add(norm(alias))
        bare = norm(re.sub(r"\s*\([^()]*\)", "", chemical))
        if 3 <= len(bare) <= 80:
            names.add(bare)
    return sorted(names)


def comedogenic(csv_path: Path, txt_path: Path) -> dict[str, list[int]]:
    ratings = {norm(r["Name"]): [int(r["Comedogenicity"] or 0), int(r["Irritancy"] or 0)]
               for r in csv.DictReader(csv_path.open(encoding="utf-8"))}
    for line in txt_path.read_text(encoding="utf-8").splitlines():
        name = norm(line)
        if name and name not in ratings:
            ratings[name] = [3, 0]  # on the pore-clogging list without a numeric rating: counted as moderate
    return ratings


def build(data: Path) -> dict[str, object]:
    ingredients = data / "ingredients"
    families = json.loads((ingredients / "free_from_claim_families_says_on_the_tin.json").read_text(encoding="utf-8"))
    return {
        "version": 1,
        "actives": register_actives(ingredients / "vallydia_evidence_register") + curated_actives(),
        "fragrance_allergens": fragrance_allergens(ingredients / "eu_labelled_fragrance_allergens_from_annex_iii.csv"),
        "annex_ii": annex_ii(ingredients / "cosing_annex_II.csv"),
        "comedogenic": comedogenic(ingredients / "comedogenicity_irritancy_dermscan.csv",
                                   ingredients / "pore_clogging_ingredients_acneclinic_dermscan.txt"),
        "free_from": {f["key"]: {k: f[k] for k in ("noun", "members", "disputed", "excluded", "note")}
                      for f in families["families"]},
        "sources": "see resources/ATTRIBUTION.md",
    }


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data"
    out = Path(__file__).resolve().parent.parent / "resources" / "knowledge" / "knowledge.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    kb = build(source)
    out.write_text(json.dumps(kb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    counts = {k: len(v) for k, v in kb.items() if isinstance(v, list | dict)}
    print(f"wrote {out}: {counts}")
