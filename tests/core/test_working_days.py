"""Working days: Monday to Friday, minus the public holidays the administrator keeps."""

from datetime import date, timedelta

import pytest

from dialogue.core.workdays import (
    add_working_days,
    deadline_after,
    holidays_between,
    is_working_day,
    working_day_deadlines,
)

#: Tết Nguyên đán 2026 as announced: Monday 16/02 to Friday 20/02 off.
TET_2026 = frozenset(date(2026, 2, d) for d in (16, 17, 18, 19, 20))
NONE = frozenset()


def test_weekends_are_never_working_days():
    assert not is_working_day(date(2026, 3, 7), NONE)  # Saturday
    assert not is_working_day(date(2026, 3, 8), NONE)  # Sunday
    assert is_working_day(date(2026, 3, 9), NONE)  # Monday


def test_a_public_holiday_on_a_weekday_is_not_a_working_day():
    assert not is_working_day(date(2026, 2, 18), TET_2026)
    assert is_working_day(date(2026, 2, 18), NONE)


def test_the_start_day_itself_is_not_counted():
    assert add_working_days(date(2026, 3, 2), 1, NONE) == date(2026, 3, 3)
    assert add_working_days(date(2026, 3, 2), 0, NONE) == date(2026, 3, 2)


def test_a_deadline_skips_the_weekend():
    # Friday 06/03/2026 + 1 working day is Monday 09/03, not Saturday.
    assert add_working_days(date(2026, 3, 6), 1, NONE) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 6), 5, NONE) == date(2026, 3, 13)


def test_a_deadline_given_on_a_saturday_starts_counting_on_monday():
    assert add_working_days(date(2026, 3, 7), 1, NONE) == date(2026, 3, 9)


def test_ten_working_days_from_the_friday_before_tet_2026():
    # Fri 13/02; Sat 14 and Sun 15 off; Tết Mon 16 – Fri 20; Sat 21, Sun 22 off;
    # Mon 23 – Fri 27/02 are days 1–5; Mon 02 – Fri 06/03 are days 6–10.
    assert add_working_days(date(2026, 2, 13), 10, TET_2026) == date(2026, 3, 6)
    # Without the holiday the same count ends a week earlier.
    assert add_working_days(date(2026, 2, 13), 10, NONE) == date(2026, 2, 27)


def test_a_deadline_never_lands_inside_the_holiday():
    assert add_working_days(date(2026, 2, 13), 1, TET_2026) == date(2026, 2, 23)


def working_days_between(start: date, end: date, holidays) -> int:
    """Counted one day at a time: an independent check of ``add_working_days``."""
    return sum(1 for offset in range(1, (end - start).days + 1)
               if is_working_day(start + timedelta(days=offset), holidays))


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 2, 13), date(2026, 3, 6), 10),  # across Tết and three weekends
    (date(2026, 2, 13), date(2026, 2, 22), 0),  # nothing but weekend and Tết
    (date(2026, 3, 2), date(2026, 3, 2), 0),  # the same day
    (date(2026, 3, 6), date(2026, 3, 2), 0),  # end before start
    (date(2026, 3, 6), date(2026, 3, 9), 1),  # Friday to Monday
])
def test_working_days_between_counts_after_the_start_up_to_the_end(start, end, expected):
    assert working_days_between(start, end, TET_2026) == expected


@pytest.mark.parametrize("count", [1, 5, 10, 23, 60])
def test_counting_back_gives_the_number_of_working_days_added(count):
    start = date(2026, 2, 11)
    assert working_days_between(start, add_working_days(start, count, TET_2026),
                                TET_2026) == count


def test_the_seeded_holidays_include_tet_2026():
    assert holidays_between(date(2026, 2, 14), date(2026, 2, 22)) == TET_2026


def test_deadlines_read_the_holidays_the_administrator_keeps():
    assert deadline_after(date(2026, 2, 13), 10) == date(2026, 3, 6)
    # Reunification Day and Labour Day 2026: Thu 30/04 and Fri 01/05.
    assert deadline_after(date(2026, 4, 29), 1) == date(2026, 5, 4)
    # Giỗ Tổ Hùng Vương, Monday 27/04/2026.
    assert deadline_after(date(2026, 4, 24), 1) == date(2026, 4, 28)


def test_deadlines_for_many_days_are_each_days_own():
    holidays = frozenset({date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18),
                          date(2026, 2, 19), date(2026, 2, 20), date(2026, 4, 30),
                          date(2026, 5, 1)})
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(0, 365, 3)]

    assert working_day_deadlines(days, 10, holidays) == {
        day: add_working_days(day, 10, holidays) for day in days}
    assert working_day_deadlines([], 10, holidays) == {}
