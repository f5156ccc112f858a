"""From findings to a ranked, explained exercise plan.

1. A flagged finding weighs ``severity × confidence × basis`` (reasoning.toml).
2. Each driver (hip abductors, foot/ankle, knee control, balance) scores the
   sum of its findings' weights times the driver's evidence weight for that
   code; a matching pattern (e.g. valgus + pelvic drop on one side) multiplies
   its driver.
3. Each exercise scores ``Σ driver score × exercise target``; the top 3 come
   from 3 different groups, the variant of a group chosen by the worst
   severity behind it (marked → easiest level). Companions (e.g. keep the foot
   work when the hip leads) and the next groups become "keep doing".
4. Nothing flagged → the maintenance list of the catalogue, each item tied to
   the measured (normal) results.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..assessment import Side
from .records import ContextNote, DriverScore, Evidence, Finding, Recommendation, Role
from .tables import Catalogue, Exercise, Reasoning

TOP_N = 3
MIN_SCORE = 0.05
MAX_KEEP_DOING = 3
LEVEL_FOR_SEVERITY = {"marked": 1, "moderate": 2, "mild": 3, "none": 2}
SEVERITY_ORDER = ("none", "mild", "moderate", "marked")


@dataclass(frozen=True)
class _Scored:
    exercise: Exercise
    score: float
    contributions: dict[str, float]  # finding id → weight
    drivers: tuple[str, ...]


def finding_weight(f: Finding, rs: Reasoning) -> float:
    """``severity × confidence × basis`` weight of a flagged finding (0 otherwise)."""
    if not f.flagged or f.confidence is None or f.severity is None:
        return 0.0
    return rs.severity_weight[f.severity] * rs.confidence_weight[f.confidence] * rs.basis_weight[f.basis]


def _pattern_matches(groups: tuple[tuple[str, ...], ...], same_side: bool, flagged: tuple[Finding, ...]) -> tuple[Side, ...] | None:
    side_sets = []
    for group in groups:
        sides = {f.side for f in flagged if f.code in group}
        if not sides:
            return None
        side_sets.append(sides)
    if not same_side:
        return tuple(s for s in ("left", "right") if any(s in ss for ss in side_sets))  # type: ignore[misc]
    common = set.intersection(*side_sets) - {None}
    return tuple(sorted(common)) if common else None  # type: ignore[arg-type]


def score_drivers(findings: tuple[Finding, ...], rs: Reasoning) -> tuple[tuple[DriverScore, ...], dict[str, dict[str, float]]]:
    """Driver scores (highest first) and, per driver, each finding's weighted contribution."""
    flagged = tuple(f for f in findings if f.flagged)
    factor: dict[str, float] = {d.id: 1.0 for d in rs.drivers}
    patterns: dict[str, list[str]] = {d.id: [] for d in rs.drivers}
    pattern_text: dict[str, list[tuple[str, str]]] = {d.id: [] for d in rs.drivers}
    for p in rs.patterns:
        if _pattern_matches(p.all_of, p.same_side, flagged) is not None:
            factor[p.driver] *= p.factor
            patterns[p.driver].append(p.id)
            pattern_text[p.driver].append((p.plain, p.clinical))
    contrib: dict[str, dict[str, float]] = {}
    out = []
    for d in rs.drivers:
        c = {f.id: finding_weight(f, rs) * d.weight(f.code) * factor[d.id] for f in flagged if d.weight(f.code) > 0}
        contrib[d.id] = c
        score = sum(c.values())
        ids = tuple(sorted(c, key=lambda k: -c[k]))
        plain = " ".join(t[0] for t in pattern_text[d.id])
        clinical = f"{d.clinical}: {score:.2f}" + (f" ({'; '.join(t[1] for t in pattern_text[d.id])})" if pattern_text[d.id] else "")
        out.append(DriverScore(d.id, d.name, round(score, 3), ids, tuple(patterns[d.id]), plain, clinical))
    out.sort(key=lambda x: -x.score)
    return tuple(out), contrib


def _score_exercises(cat: Catalogue, drivers: tuple[DriverScore, ...], contrib: dict[str, dict[str, float]]) -> list[_Scored]:
    out = []
    for e in cat.exercises:
        c: dict[str, float] = {}
        used = []
        for d in drivers:
            t = e.target(d.id)
            if t <= 0 or d.score <= 0:
                continue
            used.append(d.id)
            for fid, w in contrib[d.id].items():
                c[fid] = c.get(fid, 0.0) + t * w
        out.append(_Scored(e, sum(c.values()), c, tuple(used)))
    return out


def _choose_variant(group: list[_Scored], by_id: dict[str, Finding]) -> _Scored:
    worst = max((by_id[fid].severity or "none" for s in group for fid in s.contributions), key=SEVERITY_ORDER.index, default="none")
    want = LEVEL_FOR_SEVERITY[worst]
    return min(group, key=lambda s: (abs(s.exercise.level - want), s.exercise.level, -s.score))


def _sides(s: _Scored, by_id: dict[str, Finding]) -> tuple[Side, ...]:
    if not s.exercise.sided:
        return ()
    per: dict[Side, float] = {}
    for fid, w in s.contributions.items():
        side = by_id[fid].side
        if side is not None:
            per[side] = per.get(side, 0.0) + w
    return tuple(sorted(per, key=lambda k: -per[k]))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _strip_dot(text: str) -> str:
    return text[:-1] if text.endswith(".") else text


def _evidence_phrase(fs: list[Finding]) -> str:
    parts = [_strip_dot(f.plain) for f in fs]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else parts[0] + " and " + _lower_first(parts[1])


def _evidence(s: _Scored, by_id: dict[str, Finding]) -> tuple[Evidence, ...]:
    ids = sorted(s.contributions, key=lambda k: -s.contributions[k])
    return tuple(
        Evidence(
            fid,
            by_id[fid].code,
            by_id[fid].side,
            by_id[fid].severity,
            by_id[fid].value,
            by_id[fid].unit,
            by_id[fid].threshold,
            by_id[fid].source,
            round(s.contributions[fid], 3),
        )
        for fid in ids
        if s.contributions[fid] > 0
    )


def _side_text(sides: tuple[Side, ...]) -> str:
    return f" ({sides[0]} leg first)" if len(sides) == 2 else (f" ({sides[0]} leg)" if sides else "")


def _recommendation(
    rank: int,
    role: Role,
    s: _Scored,
    by_id: dict[str, Finding],
    *,
    plain: str,
    clinical_lead: str,
    evidence: tuple[Evidence, ...] | None = None,
    sides: tuple[Side, ...] | None = None,
) -> Recommendation:
    e = s.exercise
    ev = _evidence(s, by_id) if evidence is None else evidence
    sd = _sides(s, by_id) if sides is None else sides
    clinical = (
        f"{clinical_lead}{e.name}{_side_text(sd).replace(' leg', '')}: {e.purpose_clinical} Evidence: "
        + ("; ".join(by_id[x.finding_id].clinical for x in ev) if ev else "none flagged")
        + f". Dose: {e.dose}."
    )
    return Recommendation(
        rank=rank,
        role=role,
        exercise_id=e.id,
        name=e.name,
        group=e.group,
        level=e.level,
        sides=sd,
        score=round(s.score, 3),
        drivers=s.drivers,
        evidence=ev,
        plain=plain,
        clinical=clinical,
        purpose=e.purpose,
        cues=e.cues,
        dose=e.dose,
        progression=e.progression,
        regression=e.regression,
        safety=e.safety,
    )


def _reason_text(s: _Scored, by_id: dict[str, Finding], cited: set[str]) -> tuple[str, bool]:
    """The evidence phrase for ``s``: up to 2 findings not cited yet (full wording), else a short back-reference.

    Returns (phrase, new): ``new`` is False for a back-reference. Marks the findings used as cited.
    """
    ranked = [by_id[fid] for fid in sorted(s.contributions, key=lambda k: -s.contributions[k]) if s.contributions[fid] > 0]
    fresh = [f for f in ranked if f.id not in cited][:2]
    if fresh:
        cited.update(f.id for f in fresh)
        return _evidence_phrase(fresh), True
    labels = [f.label or f.title.lower() for f in ranked[:2]]
    return ("for the same reason: " if len(labels) == 1 else "for the same reasons: ") + " and ".join(labels), False


def _priority_sentence(rank: int, s: _Scored, by_id: dict[str, Finding], sides: tuple[Side, ...], cited: set[str]) -> str:
    phrase, new = _reason_text(s, by_id, cited)
    short = s.exercise.short
    if rank == 1:
        return f"{phrase}: start with {short}{_side_text(sides)}."
    lead = "Next" if rank == 2 else "Then"
    return f"{lead}, {short}{_side_text(sides)}: {_lower_first(phrase)}." if new else f"{lead}, {short}{_side_text(sides)}, {phrase}."


def _keep_sentence(s: _Scored, by_id: dict[str, Finding], sides: tuple[Side, ...], cited: set[str]) -> str:
    phrase, new = _reason_text(s, by_id, cited)
    head = f"Also worth keeping in your routine: {s.exercise.short}{_side_text(sides)}"
    return f"{head}: {_lower_first(phrase)}." if new else f"{head}, {phrase}."


def _normal_support(e: Exercise, findings: tuple[Finding, ...], rs: Reasoning) -> list[Finding]:
    """Assessed, unflagged findings relevant to ``e`` (via the drivers it trains), most relevant first."""
    rel: dict[str, float] = {}
    for f in findings:
        if not f.assessed or f.flagged or f.family == "asymmetry":
            continue
        w = sum(e.target(d.id) * d.weight(f.code) for d in rs.drivers)
        if w > 0:
            rel[f.id] = max(rel.get(f.id, 0.0), w)
    by_id = {f.id: f for f in findings}
    return [by_id[k] for k in sorted(rel, key=lambda k: -rel[k])]


def _maintenance_item(rank: int, e: Exercise, findings: tuple[Finding, ...], rs: Reasoning, role: Role, cited: set[str]) -> Recommendation:
    """A maintenance item, tied to the most relevant normal result not cited yet."""
    support = [f for f in _normal_support(e, findings, rs) if f.id not in cited][:1]
    cited.update(f.id for f in support)
    by_id = {f.id: f for f in findings}
    if support:
        f = support[0]
        plain = f"{_strip_dot(f.plain)}: keep it that way with {e.short}."
    else:
        plain = f"To keep your balance and strength where they are: {e.short}."
    ev = tuple(Evidence(f.id, f.code, f.side, f.severity, f.value, f.unit, f.threshold, f.source, 0.0) for f in support)
    return _recommendation(rank, role, _Scored(e, 0.0, {}, ()), by_id, plain=plain, clinical_lead="Maintenance: ", evidence=ev, sides=())


def context_notes(drivers: tuple[DriverScore, ...], rs: Reasoning, *, min_score: float = 1.0) -> tuple[ContextNote, ...]:
    """Conditions associated with the leading patterns (context, never a diagnosis)."""
    seen: dict[str, list[str]] = {}
    for d in drivers:
        if d.score < min_score:
            continue
        for c in rs.driver(d.id).conditions:
            seen.setdefault(c, []).append(d.id)
    out = []
    for cid, dids in seen.items():
        cond = rs.conditions[cid]
        names = " and ".join(rs.driver(x).plain for x in dids)
        plain = (
            f"Movement patterns like yours (involving {names}) are reported more often in people with {cond.name} ({cond.plain}). "
            "This is not a diagnosis: the video cannot tell whether you have it. If you have pain there, see a physiotherapist."
        )
        clinical = f"Context only: pattern associated with {cond.name} ({cond.source}); not diagnostic."
        out.append(ContextNote(cid, cond.name, tuple(dids), plain, clinical, cond.source))
    return tuple(out)


def prioritise(
    findings: tuple[Finding, ...], rs: Reasoning, cat: Catalogue
) -> tuple[tuple[DriverScore, ...], tuple[Recommendation, ...], tuple[Recommendation, ...]]:
    """Driver scores, the top-3 recommendations and the "keep doing" items.

    Parameters
    ----------
    findings : from :func:`assess.findings.detect.detect_findings`.
    rs, cat : reasoning and catalogue tables.

    Returns
    -------
    (drivers, recommendations, keep_doing). With nothing flagged, the
    recommendations are the catalogue's maintenance list.
    """
    by_id = {f.id: f for f in findings}
    drivers, contrib = score_drivers(findings, rs)
    scored = _score_exercises(cat, drivers, contrib)
    groups: dict[str, list[_Scored]] = {}
    for s in scored:
        groups.setdefault(s.exercise.group, []).append(s)
    chosen_by_group = []
    for g in groups.values():
        if max(s.score for s in g) <= MIN_SCORE:
            continue
        pick = _choose_variant(g, by_id)
        chosen_by_group.append(pick if pick.score > MIN_SCORE else max(g, key=lambda s: s.score))
    ranked = sorted(chosen_by_group, key=lambda s: -s.score)
    recs: list[Recommendation] = []
    keep: list[Recommendation] = []
    cited: set[str] = set()
    lead = drivers[0].id if drivers and drivers[0].score > MIN_SCORE else None
    companions = {cat.get(c.exercise).group: c for c in rs.companions if c.when_top == lead}
    for chosen in ranked:
        sides = _sides(chosen, by_id)
        group = chosen.exercise.group
        if len(recs) < TOP_N:
            rank = len(recs) + 1
            plain = _priority_sentence(rank, chosen, by_id, sides, cited)
            recs.append(_recommendation(rank, "priority", chosen, by_id, plain=plain, clinical_lead=f"{rank}. ", sides=sides))
        elif group in companions:  # e.g. the foot work a hip-led plan keeps
            comp = companions[group]
            keep.insert(
                0,
                _recommendation(
                    0, "keep_doing", chosen, by_id, plain=comp.plain, clinical_lead=f"Keep doing ({comp.clinical}): ", sides=sides
                ),
            )
        elif len(keep) < MAX_KEEP_DOING - 1:
            plain = _keep_sentence(chosen, by_id, sides, cited)
            keep.append(_recommendation(0, "keep_doing", chosen, by_id, plain=plain, clinical_lead="Keep doing: ", sides=sides))
    used = {r.group for r in recs} | {r.group for r in keep}
    for group, comp in companions.items():
        if group not in used:
            s = next(x for x in scored if x.exercise.id == comp.exercise)
            keep.insert(0, _recommendation(0, "keep_doing", s, by_id, plain=comp.plain, clinical_lead=f"Keep doing ({comp.clinical}): "))
            used.add(group)
    # Fill the top 3 (and keep-doing) from the maintenance list when findings are few or none.
    for eid in cat.maintenance:
        e = cat.get(eid)
        if e.group in used:
            continue
        if len(recs) < TOP_N:
            recs.append(_maintenance_item(len(recs) + 1, e, findings, rs, "maintenance", cited))
        elif not keep:
            keep.append(_maintenance_item(0, e, findings, rs, "keep_doing", cited))
        used.add(e.group)
    return drivers, tuple(recs), tuple(keep)


__all__ = ["context_notes", "finding_weight", "prioritise", "score_drivers"]
