"""A hypothesis strategy for catalog rows as people write them: mostly acceptable, with the variations the
canonical form must absorb (prices with three decimals or as floats, -0, mixed-case lists with blanks, padded
text, any Unicode that is not a control character or a lone surrogate)."""

from __future__ import annotations

from hypothesis import strategies as st

# no control character, no lone surrogate; often the characters the canonical form is about: separators and space
EDGE = st.sampled_from(list(" ;,'\"Aa\u0130\u00e9\u00a0\u2028-"))
CHARS = st.one_of(EDGE, EDGE, st.characters(blacklist_categories=("Cc", "Cs")))
TEXT = st.text(CHARS, min_size=1, max_size=30)
ITEM = st.one_of(st.sampled_from(["a;b", "", " ", "Vegan", "x;", "vegan "]), st.text(CHARS, max_size=12))
RAW = st.fixed_dictionaries({
    "id": st.one_of(TEXT, st.integers(0, 10**6)),
    "brand": TEXT, "name": TEXT, "size": st.one_of(st.just(""), TEXT), "ingredients": TEXT,
    "category": st.sampled_from(["serum", "Serum ", "toner", "OTHER"]),
    "price": st.one_of(st.decimals(min_value=0, max_value=10**10, places=3), st.floats(0, 1e9),
                       st.integers(0, 10**10), st.decimals(min_value=0, max_value=100).map(str),
                       st.sampled_from(["-0", " 1.005 ", "1e2", "0.0049"])),
    "currency": st.sampled_from(["GBP", "gbp", " EUR"]),
    "url": st.sampled_from(["https://www.lookfantastic.com/a.html", "https://www.lookfantastic.com/b?c=d#e",
                            "https://LOOKFANTASTIC.com/x%20y", "http://shop.example/x", "https://shop.example/y"]),
    "image_url": st.sampled_from(["", "https://img.example/a.png"]),
    "skin_types": st.one_of(st.lists(st.sampled_from(["oily", "DRY", " normal", "", "Sensitive "]), max_size=4),
                            st.sampled_from(["oily;dry", " ; combination;;", ""])),
    "tags": st.one_of(st.lists(ITEM, max_size=6), ITEM),
})
