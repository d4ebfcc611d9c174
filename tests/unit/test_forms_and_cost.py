"""What a product is (name words checked against the INCI) and what a month of it costs."""

from __future__ import annotations

import pytest

from desktop.recommend.cost import Size, monthly_cost, parse_size
from desktop.recommend.forms import classify, exfoliating_dose


@pytest.mark.parametrize(("name", "category", "inci", "form", "area"), [
    ("Toleriane Ultra Cream", "serum", ["isocetyl stearate", "squalene", "glycerin"], "moisturizer", "face"),
    ("Vitamin C Suspension Cream 30% in Silicone", "moisturizer", ["dimethicone", "ascorbic acid"], "serum", "face"),
    ("Chok Chok Shimmer Face Scrub", "exfoliant", ["butylene glycol", "cellulose acetate"], "scrub", "face"),
    ("Glow Tonic Serum", "serum", ["glycerin", "glycolic acid"], "serum", "face"),
    ("Extraordinary Oil Cream", "oil", ["glycerin", "argania spinosa extract"], "moisturizer", "face"),
    ("Transforming Body Lotion", "moisturizer", ["ammonium lactate"], "moisturizer", "body"),
    ("Gentle Eye Make-Up Remover", "eye", ["poloxamer 188"], "remover", "eye"),
    ("Micellar Water Facial Cleanser and Makeup Remover", "cleanser", ["poloxamer 184"], "cleanser", "face"),
    ("Gentle Gel", "cleanser", ["water", "glycerin"], "cleanser", "face"),
    ("Watermelon Melting Balm", "moisturizer", ["isopropyl myristate", "peg-20 glyceryl triisostearate"],
     "cleanser", "face"),
    ("Hyaluronic Wonder Oil Serum", "serum", ["sodium laureth sulfate", "cocamidopropyl betaine"], "other", "face"),
    ("Effaclar Clarifying Lotion", "toner", ["water", "alcohol denat."], "toner", "face"),
    ("Self-Tanning Oil - Brown", "oil", ["dihydroxyacetone"], "face_oil", "tan"),
    ("Advanced Genifique Eye and Lash Serum", "serum", ["bifida ferment lysate"], "serum", "eye"),
    ("Pro-Collagen Definition Face and Neck Serum", "serum", ["water"], "serum", "face"),
    ("Vitamin Enriched Cleansing Wipes (25 Pack)", "cleanser", ["water"], "wipes", "face"),
])
def test_form_and_area_come_from_name_and_inci(name: str, category: str, inci: list[str], form: str,
                                               area: str) -> None:
    found = classify(name, category, inci)
    assert (found.form, found.area) == (form, area)


def test_time_of_day_spf_and_leave_on_peels() -> None:
    assert classify("Retinol Fusion PM", "serum", ["retinol"]).time == "night"
    assert classify("Take The Day Off Cleansing Balm", "cleanser", ["ethylhexyl palmitate"]).time == "any"
    assert classify("Brightening Day Serum", "serum", ["butylene glycol"]).time == "day"
    assert classify("Facial Moisturising Lotion No SPF 52ml", "moisturizer", ["glycerin"]).spf == 0.0
    assert classify("Very High Protection SPF 50+ 30ml", "moisturizer", ["c12-15"], ("spf",)).spf == 50.0
    assert classify("City Shield SPF Moisturiser", "moisturizer", ["water"]).spf is None
    assert classify("Sunscreen SPF30 Oil 150ml", "oil", ["cocoglycerides"]).area == "body"
    pads = classify("Glycolic Peel Pads x 25 Pads", "exfoliant", ["alcohol denat.", "glycolic acid"])
    assert pads.form == "serum" and pads.exfoliating_treatment
    assert classify("Papaya Enzyme Peel", "exfoliant", ["propylene glycol", "papain"]).form == "peel"
    assert classify("Tinted SPF30 Balm - Red Apple", "moisturizer", ["lanolin"], size_ml=12.5).area == "lip"


def test_an_acid_far_down_the_label_is_a_ph_adjuster_not_an_exfoliant() -> None:
    acids = frozenset({"salicylic acid", "glycolic acid"})
    filler = [f"filler {i}" for i in range(30)]
    assert exfoliating_dose(["water", "salicylic acid", *filler], "Gel", acids)
    assert not exfoliating_dose(["water", *filler, "salicylic acid"], "Gel", acids)
    assert exfoliating_dose(["water", *filler, "glycolic acid"], "Glycolic Night Cream", acids)


@pytest.mark.parametrize(("size", "name", "expected"), [
    ("30ml", "", Size(30.0, "ml")), ("", "Serum 1.7 fl oz", Size(pytest.approx(50.27, abs=0.01), "ml")),
    ("56.7g", "", Size(56.7, "ml")), ("2 x 150ml", "", Size(300.0, "ml")), ("118ml/4oz", "", Size(118.0, "ml")),
    ("", "Ceramide Capsules Advanced (90 Capsules)", Size(90.0, "count")),
    ("", "Glycolic Peel Pads x 25 Pads", Size(25.0, "count")), ("", "Cleansing Face Wipes x 25", Size(25.0, "count")),
    ("", "Toleriane Ultra Cream", None),
])
def test_sizes_are_read_from_the_size_column_or_the_name(size: str, name: str, expected: Size | None) -> None:
    assert parse_size(size, name) == expected


def test_monthly_cost_uses_the_amount_per_use_and_how_often() -> None:
    # 30 ml serum, 0.3 ml each morning: 9.12 ml a month, 30.4 % of the bottle
    assert monthly_cost(10.0, Size(30.0, "ml"), "serum", "serum", "Serum", 1) == pytest.approx(3.04)
    # 50 ml cleanser twice a day at 2 ml: 121.6 ml a month, 2.43 bottles
    assert monthly_cost(5.0, Size(50.0, "ml"), "cleanser", "cleanser", "Gel", 2) == pytest.approx(12.16)
    assert monthly_cost(20.0, Size(60.0, "count"), "treatment", "serum", "Pads", 1) == pytest.approx(10.13, abs=0.01)
    assert monthly_cost(20.0, None, "serum", "serum", "Serum", 1) is None
