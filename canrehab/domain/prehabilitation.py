"""Prehabilitation (prehabilitering): actions in the window from the diagnosis to the treatment start.

001 ("Prehabilitering"): "insatser under perioden från diagnos till behandlingsstart och det gäller framför
allt tobaksstopp, anpassad fysisk aktivitet, optimalt näringsintag och inte minst stöd till patienten och de
närstående i psykologiska och sociala frågor". 002: "Vissa rehabiliteringsinsatser behöver sättas in redan
innan cancerbehandlingen startar".

The window opens at the diagnosis (or, if one is recorded, the start of the prehabilitation phase) and
closes the day before the treatment starts; while no treatment start is recorded it is open. The actions and
their KVÅ codes are data (``RoutineDef.prehabilitation``); an action is done when one of its codes is
recorded for the pathway within the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from canrehab.domain.definitions import PrehabilitationActionDef, PrehabilitationDef, RoutineDef
from canrehab.domain.model import KvaRecord, Pathway, PhaseKind


@dataclass(frozen=True)
class PrehabilitationWindow:
    opens_on: date
    closes_on: date | None  # the last day, the day before the treatment start; None: no start recorded

    def contains(self, on: date) -> bool:
        return on >= self.opens_on and (self.closes_on is None or on <= self.closes_on)


@dataclass(frozen=True)
class PrehabilitationAction:
    action: PrehabilitationActionDef
    done_on: date | None  # the first date one of its codes was recorded in the window


def prehabilitation_window(pathway: Pathway) -> PrehabilitationWindow | None:
    """The pathway's prehabilitation window; ``None`` when the treatment started on the diagnosis date (or
    before the recorded prehabilitation phase), leaving no time between them."""
    prehab = [p.on for p in pathway.phases if p.kind is PhaseKind.PREHABILITATION]
    opens_on = min(prehab) if prehab else pathway.started_on
    starts = [p.on for p in pathway.phases if p.kind is PhaseKind.TREATMENT_START]
    treatment_start = min(starts) if starts else None
    if treatment_start is not None and treatment_start <= opens_on:
        return None
    closes_on = treatment_start - timedelta(days=1) if treatment_start is not None else None
    return PrehabilitationWindow(opens_on=opens_on, closes_on=closes_on)


def in_prehabilitation(pathway: Pathway, today: date) -> bool:
    """Whether the pathway is between diagnosis and treatment start today (and open)."""
    window = prehabilitation_window(pathway)
    return pathway.closed_on is None and window is not None and window.contains(today)


def prehabilitation_for(routine: RoutineDef, routines: dict[str, RoutineDef]) -> PrehabilitationDef | None:
    """The routine's prehabilitation, or the default routine's."""
    default = routines.get("default")
    return routine.prehabilitation or (default.prehabilitation if default is not None else None)


def prehabilitation_actions(
    pathway: Pathway, prehabilitation: PrehabilitationDef, records: Sequence[KvaRecord]
) -> list[PrehabilitationAction]:
    """Each prehabilitation action with the date it was first recorded in the window (``None``: not yet)."""
    window = prehabilitation_window(pathway)
    own = [r for r in records if r.pathway_id == pathway.id]
    result = []
    for action in prehabilitation.actions:
        dates = [
            r.performed_on
            for r in own
            if r.code in action.codes and window is not None and window.contains(r.performed_on)
        ]
        result.append(PrehabilitationAction(action=action, done_on=min(dates, default=None)))
    return result
