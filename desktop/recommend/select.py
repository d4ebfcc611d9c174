"""Choosing the products of a routine together, so that the routine never breaks its own clash rules.

Why together: picked one step at a time, the best cleanser (salicylic acid) and the best evening treatment
(retinol) are each right and wrong together. Only a product's retinoid, exfoliating acid and benzoyl peroxide
matter to the rules (desktop.recommend.warnings), so each step's candidates fall into a handful of kinds, and
every combination of kinds across the steps can be tried: the routine is the clash-free combination with the
highest total score, each step taking its best product of the chosen kind.

Alternatives are shown folded under each pick; each one could replace its step's pick without a clash with the
other picks. No product appears twice in a routine (in any of its sizes), and a step's list has one product per brand.
"""

from __future__ import annotations

import itertools

import numpy as np

from desktop.recommend.index import CatalogIndex
from desktop.recommend.warnings import Traits, clashes, traits_of

ROWS_PER_KIND = 3  # enough for two steps (serum, treatment) to want the same product and still differ


def ranked(index: CatalogIndex, mask: np.ndarray, score: np.ndarray, count: int, brands: int = 1) -> list[int]:
    """The top `count` rows of `mask` by score (ties: cheaper, then id), then, while they hold fewer than
    `brands` brands, the best row of each further brand: a step shows one product per brand, and one brand
    with more than `count` products better than every other's would otherwise leave it no alternatives."""
    candidates = np.flatnonzero(mask)
    if candidates.size == 0:
        return []
    take = min(candidates.size, count)
    top = candidates[np.argpartition(-score[candidates], take - 1)[:take]]
    rows = [int(r) for r in sorted(top, key=lambda r: (-score[r], index.price[r], index.products[r].id))]
    seen = {index.brand[r] for r in rows}
    if len(seen) >= brands or take == candidates.size:
        return rows
    rest = np.setdiff1d(candidates, top)
    for row in rest[np.lexsort((index.price[rest], -score[rest]))]:
        if index.brand[row] not in seen:
            rows.append(int(row))
            seen.add(index.brand[row])
            if len(seen) >= brands:
                break
    return rows


def choose_picks(index: CatalogIndex, candidates: dict[str, list[int]],
                 score: dict[str, np.ndarray]) -> dict[str, int]:
    """step -> the row picked for it: the best clash-free combination (the plain best per step when none is);
    `score` is each step's score array."""
    kinds: dict[str, dict[Traits, list[int]]] = {}
    for step, rows in candidates.items():
        by_kind: dict[Traits, list[int]] = {}
        for row in rows:
            group = by_kind.setdefault(traits_of(index, row), [])
            if len(group) < ROWS_PER_KIND:
                group.append(row)
        if by_kind:
            kinds[step] = by_kind
    steps = list(kinds)
    best: tuple[tuple[int, float], dict[str, int]] | None = None  # (steps filled, total score), picks
    for combo in itertools.product(*(list(kinds[s].items()) for s in steps)):
        if clashes({s: kind for s, (kind, _rows) in zip(steps, combo, strict=True)}):
            continue
        picks = _distinct(index, {s: rows for s, (_kind, rows) in zip(steps, combo, strict=True)})
        filled = (len(picks), float(sum(score[s][r] for s, r in picks.items())))
        if best is None or filled[0] > best[0][0] or (filled[0] == best[0][0] and filled[1] > best[0][1] + 1e-9):
            best = (filled, picks)
    if best is not None:
        return best[1]
    return _distinct(index, {s: rows for s, rows in candidates.items() if rows})


def _distinct(index: CatalogIndex, options: dict[str, list[int]]) -> dict[str, int]:
    """Each step's first option whose product (in any size) no earlier step took; a step whose options all
    are taken goes empty."""
    picks: dict[str, int] = {}
    taken: set[int] = set()
    for step, rows in options.items():
        row = next((r for r in rows if int(index.family[r]) not in taken), None)
        if row is not None:
            picks[step] = row
            taken.add(int(index.family[row]))
    return picks


def alternatives(index: CatalogIndex, candidates: dict[str, list[int]], picks: dict[str, int],
                 limit: int) -> dict[str, list[int]]:
    """step -> its pick, then up to `limit - 1` alternatives: each a different brand, none used elsewhere, and
    none that would clash with the other steps' picks."""
    used = {int(index.family[r]) for r in picks.values()}
    lists: dict[str, list[int]] = {}
    for step, rows in candidates.items():
        if step not in picks:
            continue
        pick = picks[step]
        others = {s: traits_of(index, r) for s, r in picks.items() if s != step}
        chosen, brands = [pick], {index.brand[pick]}
        for row in rows:
            if len(chosen) >= limit:
                break
            family = int(index.family[row])
            if family in used or index.brand[row] in brands or clashes({**others, step: traits_of(index, row)}):
                continue
            chosen.append(row)
            brands.add(index.brand[row])
            used.add(family)
        lists[step] = chosen
    return lists
