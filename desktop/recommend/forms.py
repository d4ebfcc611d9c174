"""What a product is, read from its name and its INCI list rather than trusted from the catalog's category.

Why: shop categories are often wrong for a routine ("Toleriane Ultra Cream" filed as a serum, a 30 % vitamin C
suspension in silicone filed as a moisturiser, body lotions, hand creams and lip balms filed as moisturisers, a
shimmer face scrub filed with the chemical exfoliants). A routine step must hold the right kind of product for
the face at the right time of day, so every product gets a form, an area, a time of day and an SPF.

How it decides, in this order:
1. the area from name words (lips, eyes, body and hands, self-tan, hair and lashes; otherwise the face);
2. the form from name words: removers, wipes, masks, scrubs, cleansers and peels first (their words win over
   any other), then the head noun of a leave-on product, which in English names is the last one ("Glow Tonic
   Serum" is a serum, "Extraordinary Oil Cream" a cream, "Water Gel" a gel);
3. the INCI list checks and corrects it: a "cream" whose first ingredients are a strong active (ascorbic
   acid, an AHA or BHA, azelaic acid, benzoyl peroxide) is a treatment, a balm or oil built on oil-cleanser
   emulsifiers or a leave-on built on washing surfactants is a cleanser;
4. the catalog category only when the name says nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# forms a daily routine can use; the others (mask, scrub, peel, toner, wipes, removers, make-up, other) are
# weekly or optional extras and never fill a step
LEAVE_ON_FORMS = ("serum", "moisturizer", "face_oil")
ANY_TIME, DAY, NIGHT = "any", "day", "night"

_STRONG_ACTIVES = frozenset({"ascorbic acid", "glycolic acid", "lactic acid", "mandelic acid", "salicylic acid",
                             "azelaic acid", "benzoyl peroxide", "ethyl ascorbic acid"})
_OIL_CLEANSER_EMULSIFIERS = frozenset({
    "peg-20 glyceryl triisostearate", "peg-6 capric triglyceride", "peg-6 caprylic/capric glycerides",
    "sorbeth-30 tetraoleate", "peg-40 sorbitan peroleate", "polyglyceryl-10 dioleate", "polysorbate 85",
    "peg-10 isostearate", "polyglyceryl-4 oleate"})
_WASHING_SURFACTANTS = frozenset({
    "sodium laureth sulfate", "sodium lauryl sulfate", "ammonium lauryl sulfate", "cocamidopropyl betaine",
    "sodium cocoyl isethionate", "sodium lauroyl sarcosinate", "sodium cocoyl glycinate",
    "potassium cocoyl glycinate", "decyl glucoside", "coco-glucoside", "lauryl glucoside",
    "sodium methyl cocoyl taurate", "disodium laureth sulfosuccinate", "sodium c14-16 olefin sulfonate",
    "sodium lauroyl methyl isethionate", "sodium cocoamphoacetate", "disodium cocoamphodiacetate"})

_AREA_RULES: tuple[tuple[str, str], ...] = (  # (area, pattern); first match wins
    ("tan", r"\bself[- ]?tan\w*|\btann\w*|\btan\b|\bbronz\w*"),
    ("eye", r"\beyes?\b|\bunder[- ]?eye|\beyelid|\beyelift|\bdark circle|\beye contour"),
    ("lip", r"\blips?\b"),
    ("body", r"\bbody\b|\bhands?\b|\bheel|\bfoot\b|\bfeet\b|\btummy\b|\bstretch mark|\bnipple|\ball[- ]over\b|"
             r"\bcuticle|\bnails?\b|\bpillow mist\b"),
    ("hair", r"\blash(es)?\b|\bbrows?\b|\bhair\b|\bbeard\b|\bshampoo|\bconditioner\b"),
)
_NECK = r"\bthroat\b|\bdecollete?age\b|\bneck\b"
_FIRST_FORMS = (  # (form, pattern) checked before the head noun; first match wins
    ("remover", r"make ?up remover|makeup solvent|\bremover\b"),  # a face remover that says it cleans: cleanser
    ("wipes", r"\bwipes?\b|\bcloths\b|\btowelettes?\b"),
    ("mask", r"\bmasks?\b|\bmasque\b|\bsheet\b|\bpatch(es)?\b|\bstrips?\b"),
    ("makeup", r"\bprimer\b|\bcc\b|\bbb\b|\bcomplexion balm\b|\bvarious shades\b|\bfoundation\b|\bconcealer\b"),
    ("scrub", r"\bscrub|\bexfoliator|\bexfoliant\b|\bmicroderm|\bgommage\b|\bfriction\b"),
    ("toner", r"\btoner\b|\btonifying\b|\btoning\b|\w*mist\b|\bspray\b|\bclarifying lotion\b|\bperfume\b"),
    ("cleanser", r"\bcleans\w*|\bface wash|\bfacial wash|\bwash\b|\bmicellar\b|\bsoap\b|\bh2o\b"),
    ("scrub", r"\bpolish\b|\bexfoliating (cream|gel|balm)\b"),
)
_PEEL = r"\bpeel|\bpeeling\b"
_LEAVE_ON_PEEL = r"\bpads?\b|\bovernight\b|\bsleep\w*|\bnight\b|\bformulation\b|\bsolution\b|\bserum\b"
_HEAD_NOUNS = (  # (form, pattern); the LAST match in the name is the product's head noun
    ("serum", r"\bserums?\b|\bconcentrate\b|\bbooster\b|\bampoules?\b|\bdrops\b|\bsolution\b|\bcapsules?\b|"
              r"\belixir\b|\bcorrector\b|\btreatment\b|\bshot\b|\binfusion\b|\bcomplex\b|\bformula\b"),
    ("moisturizer", r"\bmoisturi[sz]er\b|\bcreams?\b|\bcreme\b|\blotion\+?|\bgel\b|\bemulsion\b|\bfluid\b|"
                    r"\bbalm\b|\bbaume\b|\bbutter\b|\bsorbet\b|\bhydrator\b|\bskin food\b|\bointment\b|"
                    r"\bmoisture\b|\bmattifier\b"),
    ("face_oil", r"\boils?\b|\bhuile\b"),
    ("toner", r"\btoner\b|\btonic\b|\w*mist\b|\bspray\b|\bessence\b|\bwater\b|\brosewater\b|\btonique\b"),
)
# nouns that several forms use ("gel cleanser", "spot gel", "gel moisturiser"; "lotion" a toner in French): the
# category decides between them when it names a form
_AMBIGUOUS_NOUNS = frozenset({"gel", "lotion", "lotion+", "milk", "fluid", "emulsion", "water", "essence"})
_NIGHT = r"\bnight\b|\bovernight\b|\bsleep\w*|\bpm\b|\bnuit\b|\bbedtime\b"
_DAY = r"\bday\b(?! off)|\bdaywear\b|\bam\b|\bjour\b|\bmorning\b|\bwake[- ]?up\b|\bdaily defen[cs]e\b"
_CATEGORY_FORMS = {"cleanser": "cleanser", "toner": "toner", "serum": "serum", "treatment": "serum",
                   "moisturizer": "moisturizer", "sunscreen": "moisturizer", "mask": "mask", "eye": "moisturizer",
                   "exfoliant": "peel", "oil": "face_oil"}


_C = re.compile  # every pattern compiled once: a catalog of 50 000 products runs each of them 50 000 times
_AREA_RES = tuple((area, _C(p)) for area, p in _AREA_RULES)
_ANY_AREA_RE = _C("|".join(f"(?:{p})" for _a, p in _AREA_RULES))  # one pass tells most face products apart
_FIRST_RES = tuple((form, _C(p)) for form, p in _FIRST_FORMS)
_ANY_FIRST_RE = _C("|".join(f"(?:{p})" for _f, p in _FIRST_FORMS))
_HEAD_RE = _C("|".join(f"(?P<{form}_{i}>{p})" for i, (form, p) in enumerate(_HEAD_NOUNS)))
_NECK_RE, _FACE_RE, _PEEL_RE, _LEAVE_ON_PEEL_RE = _C(_NECK), _C(r"\bface\b|\bfacial\b"), _C(_PEEL), _C(_LEAVE_ON_PEEL)
_NIGHT_RE, _DAY_RE, _CLEANS_RE = _C(_NIGHT), _C(_DAY), _C(r"\bcleans\w*|\bmicellar\b")
_NO_SPF_RE, _SPF_RE = _C(r"\bno spf\b|\bspf free\b"), _C(r"\bspf ?(\d{1,2})(?!\d| ?ml\b| ?g\b)")
_SELLS_ACID_RE = _C(r"\baha|\bbha|\bpha\b|\bpeel|\bexfoliat|\bresurfac")
_LIP_BALM_RE = _C(r"\bbalm\b|\bbaume\b|\bointment\b")
_NON_WORD_RE = _C(r"[^a-z0-9%+]+")


@dataclass(frozen=True)
class ProductForm:
    form: str  # cleanser, serum (incl. leave-on treatments), moisturizer, face_oil, or a form no step takes
    area: str  # face, eye, lip, body, hair, tan
    time: str  # any, day, night
    spf: float | None  # the stated SPF; 0.0 when the product claims none
    exfoliating_treatment: bool = False  # a leave-on peel or acid solution: an evening treatment

    @property
    def has_spf(self) -> bool:
        return self.spf is None or self.spf > 0


def name_words(text: str) -> str:
    """Lower case, accents and punctuation gone ("Crème" → "creme", "Make-Up" → "make up"), '%' and '+' kept."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(_NON_WORD_RE.sub(" ", plain.replace("make-up", "makeup")).split())


def spf_of(words: str, tags: Sequence[str], category: str) -> float | None:
    """The SPF the name states; None for a sun product that states no number; 0.0 for no sun protection."""
    if _NO_SPF_RE.search(words):
        return 0.0
    found = _SPF_RE.search(words)
    if found:
        return float(found.group(1))
    if "spf" in words.split() or "spf" in tags or category == "sunscreen":
        return None
    return 0.0


def area_of(words: str, category: str) -> str:
    if _ANY_AREA_RE.search(words):
        for area, pattern in _AREA_RES:
            if pattern.search(words):
                return area
    if _NECK_RE.search(words) and not _FACE_RE.search(words):
        return "body"
    return "eye" if category == "eye" else "face"


def _head_noun(words: str) -> tuple[str, str] | None:
    """(form, the noun itself) of the last form noun in the name."""
    last = None
    for last in _HEAD_RE.finditer(words):  # noqa: B007  (the last match is the head noun)
        pass
    if last is None or last.lastgroup is None:
        return None
    return last.lastgroup.rsplit("_", 1)[0], last.group(0)


def form_from_name(words: str, category: str) -> tuple[str, bool, bool]:
    """(form, is a leave-on exfoliating treatment, the name said so) from the name, else from the category."""
    for form, pattern in _FIRST_RES if _ANY_FIRST_RE.search(words) else ():
        if pattern.search(words):
            if form == "remover" and _CLEANS_RE.search(words):
                form = "cleanser"  # "micellar water facial cleanser and makeup remover"
            return form, False, True
    if _PEEL_RE.search(words):
        return ("serum", True, True) if _LEAVE_ON_PEEL_RE.search(words) else ("peel", False, True)
    head = _head_noun(words)
    if head is not None:
        form, noun = head
        by_category = _CATEGORY_FORMS.get(category)
        if noun in _AMBIGUOUS_NOUNS and by_category in ("cleanser", "toner", "serum", "moisturizer"):
            return by_category, False, True
        return form, False, True
    return _CATEGORY_FORMS.get(category, "other"), False, False


def check_with_inci(form: str, inci: Sequence[str], named: bool) -> str:
    """The name's form, corrected where the ingredient list contradicts it.

    A leave-on built on washing surfactants is a cleanser when only the category called it something else,
    and unusable when its own name says serum or cream (the label and the list cannot both be right).
    """
    if form == "moisturizer" and set(inci[:2]) & _STRONG_ACTIVES:
        return "serum"  # a strong active leads the label: a treatment in a cream base, not a moisturiser
    if form in ("moisturizer", "face_oil") and set(inci[:8]) & _OIL_CLEANSER_EMULSIFIERS:
        return "cleanser"  # a balm or oil that emulsifies with water and rinses off
    if form in LEAVE_ON_FORMS and set(inci[:5]) & _WASHING_SURFACTANTS:
        return "other" if named else "cleanser"
    return form


def exfoliating_dose(inci: Sequence[str], name: str, acids: frozenset[str]) -> bool:
    """Whether the product's AHAs or BHAs are there to exfoliate, not to adjust the pH.

    Labels list ingredients by falling amount and do not state doses, so the position stands in for one: an
    acid in the first five, or in the first 40 % of the list, is at an exfoliating level; one further down
    is a pH adjuster or a trace, unless the name itself sells the acid ("Glycolic Night Cream", "AHA").
    """
    positions = [i for i, n in enumerate(inci) if n in acids]
    if not positions:
        return False
    if positions[0] < max(5, round(0.4 * len(inci))):
        return True
    words = name_words(name)
    return bool(_SELLS_ACID_RE.search(words)) or any(
        name_words(inci[i]).split()[0] in words for i in positions)


def time_of(words: str, form: str) -> str:
    """Night or day products stay in their half of the routine; cleansers' "Good Morning" is a brand name."""
    night, day = bool(_NIGHT_RE.search(words)), bool(_DAY_RE.search(words))
    if night == day or form == "cleanser":
        return ANY_TIME
    return NIGHT if night else DAY


def classify(name: str, category: str, inci: Sequence[str], tags: Sequence[str] = (),
             size_ml: float | None = None) -> ProductForm:
    """`size_ml`: the pack size when known; a balm or ointment of 15 ml or less is for lips, not a face."""
    return _classify(name, category, tuple(inci[:8]), tuple(tags), size_ml)


@lru_cache(maxsize=65_536)  # a catalog lists many products in several sizes and shades
def _classify(name: str, category: str, inci: tuple[str, ...], tags: tuple[str, ...],
              size_ml: float | None) -> ProductForm:
    words = name_words(name)
    area = area_of(words, category)
    form, exfoliating, named = form_from_name(words, category)
    form = check_with_inci(form, inci, named)
    spf = spf_of(words, tags, category)
    if form == "face_oil" and spf != 0.0:
        area = "body"  # sun oils are body products
    if (form == "moisturizer" and area == "face" and size_ml is not None and size_ml <= 15
            and _LIP_BALM_RE.search(words)):
        area = "lip"
    return ProductForm(form=form, area=area, time=time_of(words, form), spf=spf,
                       exfoliating_treatment=exfoliating)
