"""The jury's arithmetic (the notice, section G), as plain functions of marks and coefficients.

A mark is a `Decimal` out of 20, `ABSENT`, which counts as 0, or `DISPENSED` (a dispense the
candidate claimed and staff accepted): a dispensed épreuve counts neither for nor against the
averages, which are taken over the other épreuves, and never leaves a decision waiting. Averages
are weighted by coefficients and kept exact (Decimal); only display rounds them.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ABSENT = "ABS"
DISPENSED = "DISP"
TEN = Decimal(10)
EIGHT = Decimal(8)
TWENTY = Decimal(20)


@dataclass(frozen=True)
class Line:
    """One épreuve of a candidate: its coefficient, its domain, its first-group mark."""

    code: str
    coefficient: Decimal
    professional: bool
    mark: object  # Decimal, ABSENT or None (not yet known)


class Decision(StrEnum):
    PENDING = "pending"
    RATTRAPAGE = "rattrapage"
    ADMIS = "admis"
    REFUSE = "refuse"


def first_group_mark(session_mark, benefit, keeps_benefits):
    """The mark an épreuve counts in the first group: a benefit of an earlier session while the
    candidate keeps their benefits, else this session's mark (a benefit not kept counts for nothing)."""
    return benefit if keeps_benefits and benefit is not None else session_mark


def points(mark):
    return Decimal(0) if mark == ABSENT else Decimal(mark)


def weighted_average(lines):
    """The coefficient-weighted average of the lines that count (dispensed ones are left out), or
    None when a mark is missing or no line counts."""
    lines = [line for line in lines if line.mark != DISPENSED]
    if not lines or any(line.mark is None for line in lines):
        return None
    total = sum(line.coefficient for line in lines)
    return sum(points(line.mark) * line.coefficient for line in lines) / total


def general_average(lines):
    """The « moyenne générale »: every épreuve, weighted by its coefficient."""
    return weighted_average(lines)


def professional_average(lines):
    """The average of the professional-domain épreuves."""
    return weighted_average(line for line in lines if line.professional)


def rattrapage_is_open(general, professional):
    """Second group: general average ≥ 8 and < 10, and professional average ≥ 10."""
    return general is not None and professional is not None and EIGHT <= general < TEN and professional >= TEN


def professional_condition(lines):
    """The professional average the second group asks for; when every professional épreuve is
    dispensed there is none to fall short of, so the condition holds (20 stands for it)."""
    professional = [line for line in lines if line.professional]
    if professional and all(line.mark == DISPENSED for line in professional):
        return TWENTY
    return professional_average(lines)


def first_group_decision(lines):
    general, professional = general_average(lines), professional_condition(lines)
    if general is None:
        return Decision.PENDING
    if general >= TEN:
        return Decision.ADMIS
    if rattrapage_is_open(general, professional):
        return Decision.RATTRAPAGE
    return Decision.REFUSE


def with_rattrapage(lines, rattrapage_marks):
    """The lines after the second group: for each épreuve, the better of its two marks."""
    return [
        Line(line.code, line.coefficient, line.professional, best_of(line.mark, rattrapage_marks[line.code]))
        if line.code in rattrapage_marks else line
        for line in lines
    ]


def best_of(first, second):
    if second is None or first == DISPENSED:
        return first
    return first if points(first) >= points(second) else second


def final_decision(lines, rattrapage_marks, declined=False):
    """After the second group: admitted when the general average with the best marks is ≥ 10.
    `declined`: the candidate let the choice's deadline pass without choosing: the first group's
    marks decide, and their general average is below 10."""
    if first_group_decision(lines) != Decision.RATTRAPAGE:
        return first_group_decision(lines)
    if declined and not rattrapage_marks:
        return Decision.REFUSE
    if any(rattrapage_marks.get(code) is None for code in rattrapage_marks) or not rattrapage_marks:
        return Decision.RATTRAPAGE
    average = general_average(with_rattrapage(lines, rattrapage_marks))
    return Decision.ADMIS if average >= TEN else Decision.REFUSE


def mark_needed_for_ten(lines, code):
    """The lowest rattrapage mark on `code` alone that brings the general average to 10, or
    None when even 20 would not. Marks are given to the hundredth, so it is rounded up."""
    from decimal import ROUND_CEILING

    average = general_average(lines)
    line = next(line for line in lines if line.code == code)
    if average is None or line.mark == DISPENSED:
        return None
    total = sum(each.coefficient for each in lines if each.mark != DISPENSED)
    missing_points = TEN * total - average * total
    needed = points(line.mark) + missing_points / line.coefficient
    needed = needed.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    if needed <= points(line.mark):
        return points(line.mark)
    return needed if needed <= TWENTY else None
