"""Subject lock: the subject stays the subject when bystanders come and go."""

from __future__ import annotations

from assess.subject import Box, SubjectLock

SUBJECT = Box(0.35, 0.15, 0.65, 0.95)
BYSTANDER = Box(0.02, 0.30, 0.15, 0.60)


def test_first_lock_prefers_large_central_person() -> None:
    lock = SubjectLock()
    assert lock.choose(0.0, [BYSTANDER, SUBJECT]) == 1


def test_bystander_never_swaps_in_while_subject_visible_or_briefly_lost() -> None:
    lock = SubjectLock(reacquire_after_s=1.0)
    assert lock.choose(0.0, [SUBJECT]) == 0
    # subject missed for a few frames; a bystander is the only candidate
    for t in (0.04, 0.08, 0.5, 0.9):
        assert lock.choose(t, [BYSTANDER]) is None
    # subject back, listed second
    assert lock.choose(0.95, [BYSTANDER, Box(0.36, 0.16, 0.66, 0.96)]) == 1


def test_a_big_person_walking_in_front_does_not_take_over() -> None:
    lock = SubjectLock()
    lock.choose(0.0, [SUBJECT])
    walker = Box(0.7, 0.05, 0.99, 0.99)  # larger, overlapping little
    assert lock.choose(0.04, [walker, Box(0.36, 0.15, 0.66, 0.95)]) == 1


def test_reacquires_after_long_absence() -> None:
    lock = SubjectLock(reacquire_after_s=1.0)
    lock.choose(0.0, [SUBJECT])
    assert lock.choose(2.0, [BYSTANDER]) == 0
