"""Regionalize one community's atoms into contiguous grids within a household band.

Hand-written (no library does this combination: a band min <= households <= max, keeping given
seed regions whole, within hard community borders, deterministic). Steps, per connected piece of
the community:

1. Start from the primary legacy layer: each legacy grid's atoms (each connected piece) form a
   region; atoms without a primary grid form regions by connected piece.
2. Split regions above max by recursive bisection: grow one part from the extreme atom along a
   principal axis (four sweeps), keep the prefix closest to the household target that fits the
   band and leaves the rest connected, breaking ties by the cheapest cut.
3. Merge regions below min into the neighbour with the longest border when the sum stays <= max;
   otherwise merge with a neighbour and re-split the union into two parts within the band.
4. Local search: move boundary atoms between neighbouring regions (keeping both contiguous) when
   that lowers the band violation or, at equal violation, the cut cost. Grids kept whole from
   the legacy layer are only touched to fix a violation.
5. No enclaves: a region whose other-atoms complement has a piece touching no atom of the
   community's outer boundary rings another grid (its polygon would have a hole filled by other
   grids). A corridor of its atoms from the enclosed piece to the outside is handed to the
   enclosed or the outside neighbour (or the enclosed grids are merged into it), the band is
   repaired by a local search that refuses moves creating enclaves, and the change is kept only
   when it does not add band violations. Holes of the community itself are not enclaves.

The cut cost of a shared border is its length times (0.25 + 0.75 x share of legacy layers in
which both atoms lie in the same legacy grid): cutting along existing legacy borders is cheap,
cutting through legacy grids is dear, and short borders make compact shapes. The visiting order
of the local search comes from ``numpy.random.default_rng(seed)``: same seed, same output.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from gridgeo.partition.adjacency import components, is_connected

MAX_RESPLIT_ATOMS = 150  # a 3-ring neighbourhood larger than this is not re-split (time)
DIST_BUCKET = 50.0  # households: split states this close to the target count as equal; the cut decides


@dataclass
class CommunityProblem:
    """One community's atoms (local indices 0..m-1) and the band."""

    community: str
    households: np.ndarray
    xy: np.ndarray
    nbrs: list[dict[int, float]]  # neighbour -> cut cost
    primary: list  # primary legacy grid code per atom (or None)
    lo: float
    hi: float
    atom_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    population: np.ndarray | None = None
    pop_lo: float | None = None
    pop_hi: float | None = None
    exterior: np.ndarray | None = None  # per atom: touches the community's outer boundary (no-enclave rule)


@dataclass
class CommunityResult:
    """Region label per atom (0..r-1) and, per region, status, reason code and reason text."""

    community: str
    labels: np.ndarray
    kept: set[int]
    reasons: dict[int, tuple[str, str]]
    atom_ids: np.ndarray


class _Partition:
    def __init__(self, p: CommunityProblem, rng: np.random.Generator):
        self.p = p
        self.h = p.households.astype(float)
        self.h_list = self.h.tolist()
        self.nbrs = p.nbrs
        self.lo, self.hi = p.lo, p.hi
        self.mid = (p.lo + p.hi) / 2.0
        self.region_of = np.full(len(self.h), -1, dtype=int)
        self.members: dict[int, set[int]] = {}
        self.hh: dict[int, float] = {}
        self.pop = p.population.astype(float) if p.population is not None else np.zeros(len(self.h))
        self.plo, self.phi = p.pop_lo, p.pop_hi
        self.pop_on = p.population is not None and (p.pop_lo is not None or p.pop_hi is not None)
        # population violations are weighed in households (the community's households per person)
        self.pw = float(self.h.sum() / self.pop.sum()) if self.pop_on and self.pop.sum() > 0 else 0.0
        self.pp: dict[int, float] = {}
        self.tried: set[frozenset] = set()  # neighbourhoods already re-split without success
        self.kept: set[int] = set()
        self.fixed: dict[int, tuple[str, str]] = {}
        self.next_id = 0
        self.rng = rng
        self.exterior: list[int] = []  # atoms on the community's outer boundary (empty: rule off)
        if p.exterior is not None:
            ext = np.asarray(p.exterior, dtype=bool).copy()
            for piece in components(list(range(len(self.h))), self.nbrs):
                if not ext[piece].any():  # a piece without a flagged atom: nothing can be enclosed in it
                    ext[piece] = True
            self.exterior = np.flatnonzero(ext).tolist()
        self.enclave_failed: set[int] = set()

    # --- bookkeeping -------------------------------------------------------------------------
    def add(self, atoms) -> int:
        rid = self.next_id
        self.next_id += 1
        atoms = set(int(a) for a in atoms)
        self.members[rid] = atoms
        self.hh[rid] = float(self.h[list(atoms)].sum())
        self.pp[rid] = float(self.pop[list(atoms)].sum())
        for a in atoms:
            self.region_of[a] = rid
        return rid

    def drop(self, rid: int) -> set[int]:
        self.kept.discard(rid)
        self.hh.pop(rid)
        self.pp.pop(rid)
        return self.members.pop(rid)

    def viol(self, x: float, pop: float = 0.0) -> float:
        """Band violation in households (population violation weighed in when bounds are set)."""
        v = max(0.0, self.lo - x) + max(0.0, x - self.hi)
        if self.pop_on:
            v += self.pw * self.pop_viol(pop)
        return v

    def pop_viol(self, pop: float, k: int = 1) -> float:
        if not self.pop_on:
            return 0.0
        return ((max(0.0, k * self.plo - pop) if self.plo is not None else 0.0)
                + (max(0.0, pop - k * self.phi) if self.phi is not None else 0.0))

    def rviol(self, rid: int) -> float:
        return self.viol(self.hh[rid], self.pp[rid])

    def set_viol(self, atoms) -> float:
        atoms = list(atoms)
        return self.viol(float(self.h[atoms].sum()), float(self.pop[atoms].sum()))

    def neighbour_regions(self, rid: int) -> dict[int, float]:
        out: dict[int, float] = {}
        for a in self.members[rid]:
            for b, w in self.nbrs[a].items():
                q = self.region_of[b]
                if q != rid:
                    out[q] = out.get(q, 0.0) + w
        return out

    # --- splitting ---------------------------------------------------------------------------
    def parts_for(self, total: float) -> int:
        kmin = max(1, math.ceil(total / self.hi))
        kmax = math.floor(total / self.lo) if self.lo > 0 else kmin
        if kmin <= kmax:
            return int(min(max(round(total / self.mid), kmin), kmax))
        return kmin

    def _axes(self, members: list[int], extra: bool = False) -> list[np.ndarray]:
        """Principal axis of the members' centroids (closed-form 2x2), its normal, diagonals."""
        xy = self.p.xy[members]
        if len(members) < 3:
            main = np.array([1.0, 0.0])
        else:
            d = xy - xy.mean(axis=0)
            sxx, syy, sxy = float(d[:, 0] @ d[:, 0]), float(d[:, 1] @ d[:, 1]), float(d[:, 0] @ d[:, 1])
            angle = 0.5 * np.arctan2(2 * sxy, sxx - syy)
            main = np.array([np.cos(angle), np.sin(angle)])
        other = np.array([-main[1], main[0]])
        axes = [main, -main, other, -other]
        if extra:  # diagonals too: used when repairing violations
            d1, d2 = (main + other) / np.sqrt(2), (main - other) / np.sqrt(2)
            axes += [d1, -d1, d2, -d2]
        return axes

    def _grow(self, members: list[int], direction: np.ndarray, k1: int, k2: int):
        """Grow a part from the extreme atom along ``direction``; the best prefix and the rest."""
        mem = set(members)
        proj = (self.p.xy @ direction).tolist()  # all atoms of the community; a list indexes fast
        total = float(self.h[members].sum())
        target = total * k1 / (k1 + k2)
        start = min(members, key=lambda a: (proj[a], a))
        order = [start]
        inside = {start}
        h = self.h_list
        cum_h = h[start]
        nbrs = self.nbrs
        cut = sum(w for b, w in nbrs[start].items() if b in mem)
        cuts = [cut]
        heap = [(proj[b], b) for b in nbrs[start] if b in mem]
        heapq.heapify(heap)
        limit = target + self.hi
        max_len = len(members) - 1
        pop, push = heapq.heappop, heapq.heappush
        while heap and len(order) < max_len and cum_h < limit:
            _, j = pop(heap)
            if j in inside:
                continue
            inside.add(j)
            order.append(j)
            cum_h += h[j]
            for b, w in nbrs[j].items():
                if b in mem:
                    if b in inside:
                        cut -= w
                    else:
                        cut += w
                        push(heap, (proj[b], b))
            cuts.append(cut)
        n = min(len(order), len(members) - 1)
        if n < 1:
            return None
        idx = np.asarray(order[:n])
        c = np.cumsum(self.h[idx])
        rest_h = total - c
        pen = (np.maximum(0.0, k1 * self.lo - c) + np.maximum(0.0, c - k1 * self.hi)
               + np.maximum(0.0, k2 * self.lo - rest_h) + np.maximum(0.0, rest_h - k2 * self.hi))
        if self.pop_on:
            cp = np.cumsum(self.pop[idx])
            total_p = float(self.pop[members].sum())
            pv = np.zeros(n)
            for kk, vals in ((k1, cp), (k2, total_p - cp)):
                if self.plo is not None:
                    pv += np.maximum(0.0, kk * self.plo - vals)
                if self.phi is not None:
                    pv += np.maximum(0.0, vals - kk * self.phi)
            pen = pen + self.pw * pv
        dist = np.round(np.abs(c - target) / DIST_BUCKET)
        ct = np.asarray(cuts[:n])
        ranking = np.lexsort((np.arange(n), ct, dist, pen))
        for pos in ranking[:60]:
            n_in = int(pos) + 1
            rest = mem - set(order[:n_in])
            if rest and is_connected(rest, self.nbrs):
                return (float(pen[pos]), float(dist[pos]), float(ct[pos])), order[:n_in], sorted(rest)
        return None

    def bisect(self, members: list[int], k: int, extra: bool = False) -> list[list[int]]:
        members = sorted(members)
        if k <= 1 or len(members) <= 1:
            return [members]
        k1 = k // 2
        k2 = k - k1
        best = None
        for direction in self._axes(members, extra):
            res = self._grow(members, direction, k1, k2)
            if res is not None and (best is None or res[0] < best[0]):
                best = res
        if best is None:
            return [members]
        _, a, b = best
        return self.bisect(a, k1, extra) + self.bisect(b, k2, extra)

    def split_oversized(self) -> None:
        for rid in sorted(self.members):
            if rid in self.fixed or (self.hh[rid] <= self.hi and
                                     (self.phi is None or not self.pop_on or self.pp[rid] <= self.phi)):
                continue
            members = sorted(self.members[rid])
            parts = self.bisect(members, self.parts_for(self.hh[rid]))
            if len(parts) > 1:
                self.drop(rid)
                for part in parts:
                    self.add(part)

    def _small(self, rid: int) -> bool:
        return self.hh[rid] < self.lo or (self.pop_on and self.plo is not None and self.pp[rid] < self.plo)

    # --- merging -----------------------------------------------------------------------------
    def merge_undersized(self) -> None:
        while True:
            progress = False
            smalls = sorted((r for r in self.members if r not in self.fixed and self._small(r)),
                            key=lambda r: (self.hh[r], min(self.members[r])))
            for rid in smalls:
                if rid not in self.members or not self._small(rid):
                    continue
                nbr = {q: w for q, w in self.neighbour_regions(rid).items() if q not in self.fixed}
                if not nbr:
                    continue
                options = []
                for q, w in nbr.items():
                    tot = self.hh[rid] + self.hh[q]
                    ptot = self.pp[rid] + self.pp[q]
                    if tot <= self.hi and (not self.pop_on or self.phi is None or ptot <= self.phi):
                        options.append((0 if self.viol(tot, ptot) == 0 else 1, -w, q))
                if options:
                    _, _, q = min(options)
                    atoms = self.drop(rid) | self.drop(q)
                    self.add(atoms)
                    progress = True
                    continue
                for q, _w in sorted(nbr.items(), key=lambda kv: (kv[0] in self.kept, -kv[1], kv[0])):
                    union = sorted(self.members[rid] | self.members[q])
                    tot = self.hh[rid] + self.hh[q]
                    if tot < 2 * self.lo:
                        continue
                    parts = self.bisect(union, 2)
                    if len(parts) == 2 and all(self.set_viol(p) == 0 for p in parts):
                        self.drop(rid)
                        self.drop(q)
                        for part in parts:
                            self.add(part)
                        progress = True
                        break
            if not progress:
                return

    # --- neighbourhood re-split ----------------------------------------------------------------
    def _big_atom(self, rid: int) -> bool:
        return any(self.h[a] > self.hi for a in self.members[rid])

    def resplit_neighbourhood(self, rid: int, rings: int = 1, spare_kept: bool = False) -> bool:
        """Re-partition ``rid`` with its neighbours (``rings`` deep) when that lowers violations.

        With ``spare_kept`` legacy grids kept whole are left out of the neighbourhood.
        """
        group = {rid}
        frontier = {rid}
        for _ in range(rings):
            nxt = set()
            for r in frontier:
                nxt |= {q for q in self.neighbour_regions(r) if q not in self.fixed and q not in group
                        and not (spare_kept and q in self.kept)}
            group |= nxt
            frontier = nxt
        if len(group) == 1:
            return False
        key = frozenset(group)  # region ids are never reused: the same ids mean the same atoms
        if key in self.tried:
            return False
        self.tried.add(key)
        old = [self.rviol(r) for r in group]
        old_key = (sum(v > 1e-9 for v in old), sum(old))
        union = sorted(set().union(*(self.members[r] for r in group)))
        if rings > 2 and len(union) > MAX_RESPLIT_ATOMS:
            return False
        total = float(self.h[union].sum())
        k0 = self.parts_for(total)
        best = None
        # cheapest first: 4 sweeps with k0 parts; then 8 sweeps (diagonals) with k0, k0+1, k0-1
        for k, extra in dict.fromkeys(((k0, False), (k0, True), (k0 + 1, True), (k0 - 1, True))):
            if k < 1 or (k != k0 and not (k * self.lo <= total <= k * self.hi)):
                continue
            cand = self.bisect(union, k, extra=extra)
            vs = [self.set_viol(p) for p in cand]
            key = (sum(v > 1e-9 for v in vs), sum(vs))
            if best is None or key < best[0]:
                best = (key, cand)
            if key[0] == 0:
                break
        new_key, parts = best
        if new_key[0] < old_key[0] or (new_key[0] == old_key[0] and new_key[1] < old_key[1] - 1e-9):
            for r in sorted(group):
                self.drop(r)
            for p in parts:
                self.add(p)
            return True
        return False

    def fix_violations(self) -> None:
        for rings, spare in ((1, True), (2, True), (1, False), (2, False), (3, False)):
            bad = sorted((r for r in self.members if r not in self.fixed and self.rviol(r) > 0
                          and not self._big_atom(r)), key=lambda r: (-self.rviol(r), min(self.members[r])))
            for rid in bad:
                if rid in self.members and self.rviol(rid) > 0:
                    self.resplit_neighbourhood(rid, rings, spare)

    # --- local search ------------------------------------------------------------------------
    def polish(self, max_passes: int = 12, no_enclave: bool = False) -> int:
        self.tried.clear()  # moves change regions without new ids
        moves = 0
        n = len(self.h)
        for _ in range(max_passes):
            improved = False
            for a in self.rng.permutation(n):
                a = int(a)
                r = int(self.region_of[a])
                if r in self.fixed or len(self.members[r]) == 1:
                    continue
                to_r = 0.0
                by_q: dict[int, float] = {}
                for b, w in self.nbrs[a].items():
                    q = int(self.region_of[b])
                    if q == r:
                        to_r += w
                    else:
                        by_q[q] = by_q.get(q, 0.0) + w
                if not by_q:
                    continue
                best = None
                for q in sorted(by_q):
                    if q in self.fixed:
                        continue
                    ha, pa = self.h[a], self.pop[a]
                    dv = (self.viol(self.hh[r] - ha, self.pp[r] - pa) + self.viol(self.hh[q] + ha, self.pp[q] + pa)
                          - self.rviol(r) - self.rviol(q))
                    dc = to_r - by_q[q]
                    if (r in self.kept or q in self.kept) and dv >= 0:
                        continue
                    if dv < -1e-9 or (abs(dv) <= 1e-9 and dc < -1e-6):
                        key = (dv, dc, q)
                        if best is None or key < best:
                            best = key
                if best is None:
                    continue
                q = best[2]
                rest = self.members[r] - {a}
                if not is_connected(rest, self.nbrs):
                    continue
                if no_enclave and self._creates_enclave(a, q):
                    continue
                self.members[r].discard(a)
                self.hh[r] -= self.h[a]
                self.pp[r] -= self.pop[a]
                self.members[q].add(a)
                self.hh[q] += self.h[a]
                self.pp[q] += self.pop[a]
                self.region_of[a] = q
                self.kept.discard(r)
                self.kept.discard(q)
                improved = True
                moves += 1
            if not improved:
                break
        return moves

    # --- no enclaves -------------------------------------------------------------------------
    def enclosed_by(self, members: set[int]) -> set[int]:
        """Atoms outside ``members`` that cannot reach the community's outer boundary around them."""
        if not self.exterior:
            return set()
        stack = [a for a in self.exterior if a not in members]
        seen = set(stack)
        nbrs = self.nbrs
        while stack:
            i = stack.pop()
            for j in nbrs[i]:
                if j not in seen and j not in members:
                    seen.add(j)
                    stack.append(j)
        if len(seen) + len(members) >= len(self.h):
            return set()
        return set(range(len(self.h))) - members - seen

    def enclaves(self) -> dict[int, set[int]]:
        """Region -> the atoms it encloses, for every region that encloses any."""
        out = {}
        for rid in sorted(self.members):
            if rid not in self.fixed:
                enc = self.enclosed_by(self.members[rid])
                if enc:
                    out[rid] = enc
        return out

    def _creates_enclave(self, a: int, q: int) -> bool:
        return len(self.enclosed_by(self.members[q] | {a})) > len(self.enclosed_by(self.members[q]))

    def band_key(self) -> tuple[int, float]:
        vs = [self.rviol(r) for r in self.members]
        return sum(v > 1e-9 for v in vs), round(sum(vs), 6)

    def _snapshot(self):
        return (self.region_of.copy(), {r: set(m) for r, m in self.members.items()}, dict(self.hh),
                dict(self.pp), set(self.kept))

    def _restore(self, snap) -> None:
        region_of, members, hh, pp, kept = snap
        self.region_of = region_of.copy()
        self.members = {r: set(m) for r, m in members.items()}
        self.hh, self.pp, self.kept = dict(hh), dict(pp), set(kept)

    def _apply(self, moves: dict[int, int]) -> set[int]:
        """Move atoms to regions; regions left empty are dropped. Returns the touched regions."""
        touched: set[int] = set()
        for a, q in moves.items():
            r = int(self.region_of[a])
            if r == q:
                continue
            self.members[r].discard(a)
            self.hh[r] -= self.h[a]
            self.pp[r] -= self.pop[a]
            self.members[q].add(a)
            self.hh[q] += self.h[a]
            self.pp[q] += self.pop[a]
            self.region_of[a] = q
            touched |= {r, q}
        for r in touched:
            self.kept.discard(r)
            if not self.members[r]:
                self.drop(r)
        return touched

    def _corridor(self, rid: int, sources: set[int], outside: set[int], unit: bool) -> list[int] | None:
        """Cheapest chain of ``rid``'s atoms from one next to ``sources`` to one on the outside."""
        mem = self.members[rid]
        ext = set(self.exterior)
        goal = {a for a in mem if a in ext or any(b in outside for b in self.nbrs[a])}
        start = sorted(a for a in mem if any(b in sources for b in self.nbrs[a]))
        dist: dict[int, float] = {}
        prev: dict[int, int] = {}
        heap = []
        for a in start:
            d = 1.0 if unit else 1.0 + self.h[a]
            dist[a] = d
            heap.append((d, a))
        heapq.heapify(heap)
        while heap:
            d, a = heapq.heappop(heap)
            if d > dist.get(a, math.inf):
                continue
            if a in goal:
                path = [a]
                while path[-1] in prev:
                    path.append(prev[path[-1]])
                return path
            for b in self.nbrs[a]:
                if b in mem:
                    nd = d + (1.0 if unit else 1.0 + self.h[b])
                    if nd < dist.get(b, math.inf):
                        dist[b] = nd
                        prev[b] = a
                        heapq.heappush(heap, (nd, b))
        return None

    def _enclave_candidates(self, rid: int, enclosed: set[int]) -> list[dict[int, int]]:
        comp = set(components(sorted(enclosed), self.nbrs)[0])
        inner = sorted({int(self.region_of[a]) for a in comp})
        outside = set(range(len(self.h))) - self.members[rid] - enclosed
        cands: list[dict[int, int]] = [{a: rid for a in sorted(comp)}]  # merge the enclosed grids in
        seen: set[tuple] = set()
        for q in inner:
            for unit in (False, True):
                path = self._corridor(rid, self.members[q], outside, unit)
                if path is None or len(path) >= len(self.members[rid]) or tuple(path) in seen:
                    continue
                seen.add(tuple(path))
                cands.append({a: q for a in path})
                end = path[0]  # the chain is listed from its outer end
                out_nbrs: dict[int, float] = {}
                for b, w in self.nbrs[end].items():
                    if b in outside:
                        o = int(self.region_of[b])
                        out_nbrs[o] = out_nbrs.get(o, 0.0) + w
                out_nbrs = {o: w for o, w in out_nbrs.items() if o not in self.fixed}
                if out_nbrs:
                    o = min(out_nbrs, key=lambda k: (-out_nbrs[k], k))
                    cands.append({a: o for a in path})
        return cands

    def _open_enclave(self, rid: int, enc: dict[int, set[int]]) -> bool:
        def enc_key(e: dict[int, set[int]]) -> tuple[int, int]:
            return len(e), sum(len(v) for v in e.values())

        before_enc, before_band = enc_key(enc), self.band_key()
        snap = self._snapshot()
        best = None
        for moves in self._enclave_candidates(rid, enc[rid]):
            touched = self._apply(moves)
            if all(is_connected(self.members[r], self.nbrs) for r in touched if r in self.members):
                k = enc_key(self.enclaves())
                if k < before_enc:
                    key = (self.band_key(), k, len(moves))
                    if best is None or key < best[0]:
                        best = (key, moves)
            self._restore(snap)
        if best is None:
            return False
        self._apply(best[1])
        if self.band_key() > before_band:
            self.polish(max_passes=4, no_enclave=True)
        if self.band_key() > before_band or enc_key(self.enclaves()) >= before_enc:
            self._restore(snap)
            return False
        return True

    def remove_enclaves(self) -> None:
        """Open every enclave the band allows (see the module docstring, step 5)."""
        if not self.exterior:
            return
        for _ in range(4 * len(self.members) + 4):
            enc = self.enclaves()
            todo = [r for r in sorted(enc) if r not in self.enclave_failed]
            if not todo:
                return
            if not self._open_enclave(todo[0], enc):
                self.enclave_failed.add(todo[0])

    # --- reasons -----------------------------------------------------------------------------
    def reason(self, rid: int) -> tuple[str, str]:
        if rid in self.fixed:
            return self.fixed[rid]
        x = self.hh[rid]
        if x > self.hi:
            big = [a for a in self.members[rid] if self.h[a] > self.hi]
            if big:
                return ("atom_over_max", f"one atom alone holds {self.h[big[0]]:.0f} households "
                        f"(> max {self.hi:.0f}); it cannot be split along legacy borders")
            return ("no_feasible_split", f"{x:.0f} households: no contiguous split of these atoms fits "
                    f"{self.lo:.0f}-{self.hi:.0f}")
        if x < self.lo:
            return ("no_feasible_merge", f"{x:.0f} households: every contiguous merge with a neighbour "
                    f"exceeds max {self.hi:.0f} and no re-split fits the band")
        if self.pop_on and self.pop_viol(self.pp[rid]) > 0:
            return ("population_out_of_band", f"population {self.pp[rid]:.0f} outside "
                    f"{self.plo if self.plo is not None else 0:.0f}-"
                    f"{self.phi if self.phi is not None else float('inf'):.0f} while households fit; "
                    "no contiguous rearrangement fits both bands")
        return ("", "")


def solve_community(problem: CommunityProblem, seed: int = 0) -> CommunityResult:
    """Regionalize one community (see the module docstring); deterministic for a seed."""
    code_digits = "".join(ch for ch in problem.community if ch.isdigit())[-9:] or "0"
    rng = np.random.default_rng([int(seed), int(code_digits)])
    part = _Partition(problem, rng)
    m = len(problem.households)
    for piece in components(list(range(m)), problem.nbrs):
        total = float(part.h[piece].sum())
        if total < problem.lo:
            rid = part.add(piece)
            what = "the whole community" if len(piece) == m else "this detached part of the community"
            part.fixed[rid] = ("community_under_min", f"{what} holds only {total:.0f} households "
                               f"(< min {problem.lo:.0f}); kept as one grid")
            continue
        by_label: dict[object, list[int]] = {}
        for a in piece:
            by_label.setdefault(problem.primary[a], []).append(a)
        for label in sorted(by_label, key=lambda v: (v is None, str(v))):
            for comp in components(by_label[label], problem.nbrs):
                rid = part.add(comp)
                if label is not None and len(comp) == len(by_label[label]) and part.rviol(rid) == 0:
                    part.kept.add(rid)
    part.split_oversized()
    part.merge_undersized()
    part.fix_violations()
    part.polish()
    part.merge_undersized()
    part.fix_violations()
    part.polish(max_passes=4)
    part.remove_enclaves()
    # relabel regions 0..r-1 by their smallest atom
    order = sorted(part.members, key=lambda r: min(part.members[r]))
    new_id = {r: i for i, r in enumerate(order)}
    labels = np.array([new_id[int(r)] for r in part.region_of], dtype=int)
    reasons = {new_id[r]: part.reason(r) for r in order}
    kept = {new_id[r] for r in part.kept}
    return CommunityResult(problem.community, labels, kept, reasons, problem.atom_ids)
