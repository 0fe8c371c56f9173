"""The jury's arithmetic (section G), by examples at the boundaries and by properties."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exams import results
from exams.results import ABSENT, DISPENSED, Decision, Line

marks = st.one_of(st.just(ABSENT), st.decimals(min_value=0, max_value=20, places=2, allow_nan=False, allow_infinity=False))
coefficients = st.sampled_from([D(1), D(2), D(3), D(4), D("1.5"), D(6)])


def line(code, mark, coefficient=1, professional=False):
    return Line(code, D(coefficient), professional, mark if mark in (None, ABSENT, DISPENSED) else D(str(mark)))


def candidate(general_marks, professional_marks):
    return [line(f"G{i}", m) for i, m in enumerate(general_marks)] + \
           [line(f"P{i}", m, professional=True) for i, m in enumerate(professional_marks)]


@pytest.mark.parametrize(("general", "professional", "open_"), [
    ("7.99", "12", False), ("8.00", "12", True), ("9.99", "12", True), ("10.00", "12", False),
    ("9", "9.99", False), ("9", "10.00", True),
])
def test_rattrapage_opens_at_8_below_10_with_a_professional_10(general, professional, open_):
    assert results.rattrapage_is_open(D(general), D(professional)) is open_


def test_the_general_average_is_weighted_by_coefficients():
    lines = [line("E1", 8, coefficient=1), line("E2", 14, coefficient=3, professional=True)]
    assert results.general_average(lines) == D("12.5")
    assert results.professional_average(lines) == D(14)


def test_an_absence_counts_as_zero():
    assert results.general_average([line("E1", ABSENT), line("E2", 16)]) == D(8)


def test_a_missing_mark_means_no_average_yet():
    assert results.general_average([line("E1", None), line("E2", 16)]) is None
    assert results.first_group_decision([line("E1", None)]) == Decision.PENDING


def test_first_group_decisions():
    assert results.first_group_decision(candidate([10], [10])) == Decision.ADMIS
    assert results.first_group_decision(candidate([6], [10])) == Decision.RATTRAPAGE  # average 8
    assert results.first_group_decision(candidate([5.98], [10])) == Decision.REFUSE  # average 7.99
    assert results.first_group_decision(candidate([9, 9], [9.99, 9.99])) == Decision.REFUSE  # professional below 10


def test_after_rattrapage_the_better_mark_counts_and_10_is_admitted():
    lines = candidate([6, 6], [12, 12])  # average 9: rattrapage
    assert results.final_decision(lines, {"G0": D(10), "G1": D(10)}) == Decision.ADMIS  # 11
    assert results.final_decision(lines, {"G0": D(8), "G1": D(8)}) == Decision.ADMIS  # (8+8+24)/4 = 10.00
    assert results.final_decision(lines, {"G0": D("7.98"), "G1": D(8)}) == Decision.REFUSE  # 9.995
    assert results.final_decision(lines, {"G0": D(2), "G1": ABSENT}) == Decision.REFUSE  # first marks kept: 9
    assert results.final_decision(lines, {"G0": None, "G1": D(10)}) == Decision.RATTRAPAGE  # still waiting


def test_the_mark_needed_on_one_epreuve_to_reach_10():
    lines = candidate([6, 6], [12, 12])  # 36 points out of 40: 4 missing
    assert results.mark_needed_for_ten(lines, "G0") == D(10)
    assert results.mark_needed_for_ten(candidate([6, 0], [12, 12]), "G1") == D(10)
    assert results.mark_needed_for_ten([line("G0", 0), *[line(f"P{i}", 10, professional=True) for i in range(3)], line("G1", 2)], "G0") == D(18)
    assert results.mark_needed_for_ten([line("G0", 0, 1), line("P0", 10, 10, True), line("G1", 5, 10)], "G0") is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(marks, coefficients, st.booleans()), min_size=2, max_size=8).filter(lambda rows: any(r[2] for r in rows)),
       st.dictionaries(st.integers(0, 7), marks, max_size=2))
def test_best_of_two_never_lowers_a_mark_nor_the_average(rows, second):
    lines = [Line(f"E{i}", coefficient, professional, mark) for i, (mark, coefficient, professional) in enumerate(rows)]
    rattrapage = {f"E{i}": mark for i, mark in second.items() if i < len(lines)}
    after = results.with_rattrapage(lines, rattrapage)
    for before_line, after_line in zip(lines, after, strict=True):
        assert results.points(after_line.mark) >= results.points(before_line.mark)
    assert results.general_average(after) >= results.general_average(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(marks, coefficients, st.booleans()), min_size=1, max_size=8))
def test_averages_stay_between_0_and_20_and_decisions_follow_the_thresholds(rows):
    lines = [Line(f"E{i}", coefficient, professional, mark) for i, (mark, coefficient, professional) in enumerate(rows)]
    general, professional = results.general_average(lines), results.professional_average(lines)
    assert D(0) <= general <= D(20)
    decision = results.first_group_decision(lines)
    if general >= 10:
        assert decision == Decision.ADMIS
    elif decision == Decision.RATTRAPAGE:
        assert D(8) <= general < D(10) and professional is not None and professional >= 10
    else:
        assert decision == Decision.REFUSE and (general < 8 or professional is None or professional < 10)


@settings(max_examples=200, deadline=None)
@given(st.lists(marks, min_size=2, max_size=5), st.lists(marks, min_size=1, max_size=3))
def test_the_mark_needed_is_exactly_enough(general_marks, professional_marks):
    lines = [Line(f"G{i}", D(1), False, m) for i, m in enumerate(general_marks)] + \
            [Line(f"P{i}", D(1), True, m) for i, m in enumerate(professional_marks)]
    needed = results.mark_needed_for_ten(lines, "G0")
    if needed is None:
        assert results.general_average(results.with_rattrapage(lines, {"G0": D(20)})) < 10
    else:
        assert results.general_average(results.with_rattrapage(lines, {"G0": needed})) >= 10
        lower = needed - D("0.01")
        if lower >= results.points(lines[0].mark) and needed > results.points(lines[0].mark):
            assert results.general_average(results.with_rattrapage(lines, {"G0": lower})) < 10


class TestDispensedEpreuves:
    """A dispense the candidate claimed and staff accepted: the épreuve counts neither for nor against."""

    def test_a_dispensed_epreuve_leaves_the_averages_as_the_others_give_them(self):
        with_dispense = [line("E1", "12", 3), line("E2", DISPENSED, 2), line("E4", "14", 5, professional=True)]
        without = [line("E1", "12", 3), line("E4", "14", 5, professional=True)]
        assert results.general_average(with_dispense) == results.general_average(without) == D(106) / D(8)
        assert results.professional_average(with_dispense) == D(14)

    def test_it_never_leaves_the_decision_waiting(self):
        assert results.first_group_decision([line("E1", DISPENSED), line("E4", "12", professional=True)]) == Decision.ADMIS

    def test_every_professional_epreuve_dispensed_does_not_close_the_second_group(self):
        lines = [line("E1", "9"), line("E4", DISPENSED, professional=True), line("E5", DISPENSED, professional=True)]
        assert results.first_group_decision(lines) == Decision.RATTRAPAGE

    def test_no_mark_is_needed_on_a_dispensed_epreuve_and_a_rattrapage_mark_cannot_replace_it(self):
        lines = [line("E1", "8"), line("E2", DISPENSED), line("E4", "12", professional=True)]
        assert results.mark_needed_for_ten(lines, "E2") is None
        assert results.with_rattrapage(lines, {"E2": D(20)})[1].mark == DISPENSED


marks_or_dispenses = st.one_of(marks, st.just(DISPENSED))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(marks, coefficients, st.booleans()), min_size=1, max_size=6),
       st.lists(st.tuples(coefficients, st.booleans()), min_size=1, max_size=3))
def test_dispensed_epreuves_change_neither_average_nor_decision(rows, dispensed):
    lines = [Line(f"E{i}", coefficient, professional, mark) for i, (mark, coefficient, professional) in enumerate(rows)]
    more = lines + [Line(f"D{i}", coefficient, professional, DISPENSED) for i, (coefficient, professional) in enumerate(dispensed)]
    assert results.general_average(more) == results.general_average(lines)
    if any(line.professional for line in lines):
        assert results.professional_average(more) == results.professional_average(lines)
        assert results.first_group_decision(more) == results.first_group_decision(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(marks_or_dispenses, coefficients, st.booleans()), min_size=1, max_size=8)
       .filter(lambda rows: any(mark != DISPENSED for mark, _c, _p in rows)))
def test_with_every_mark_known_or_dispensed_the_first_group_always_decides(rows):
    lines = [Line(f"E{i}", coefficient, professional, mark) for i, (mark, coefficient, professional) in enumerate(rows)]
    assert results.first_group_decision(lines) != Decision.PENDING
    general = results.general_average(lines)
    assert D(0) <= general <= D(20)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), marks_or_dispenses), st.one_of(st.none(), marks), coefficients, st.booleans()),
                min_size=1, max_size=8),
       st.booleans())
def test_a_kept_benefit_counts_as_the_epreuves_mark_and_one_not_kept_never_does(rows, keeps_benefits):
    """Each row: this session's mark (or none yet), a benefit of an earlier session (or none)."""
    lines = [Line(f"E{i}", coefficient, professional, results.first_group_mark(session_mark, benefit, keeps_benefits))
             for i, (session_mark, benefit, coefficient, professional) in enumerate(rows)]
    for (session_mark, benefit, _c, _p), kept in zip(rows, lines, strict=True):
        assert kept.mark == (benefit if keeps_benefits and benefit is not None else session_mark)
    general = results.general_average(lines)
    assert general is None or D(0) <= general <= D(20)
    if general is None:
        assert results.first_group_decision(lines) == Decision.PENDING

