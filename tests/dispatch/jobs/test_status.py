import pytest

from dispatch.jobs.status import ALLOWED_TRANSITIONS, OPEN_STATUSES, InvalidTransition, JobStatus, check_transition

S = JobStatus


def test_the_happy_path_is_allowed_step_by_step():
    path = [S.REPORTED, S.TRIAGED, S.ASSIGNED, S.EN_ROUTE, S.ON_SITE, S.WAITING_PARTS, S.ON_SITE, S.COMPLETED,
            S.CLOSED]
    for current, following in zip(path, path[1:]):
        check_transition(current, following)


def test_a_usage_question_can_be_resolved_remotely_and_closed():
    check_transition(S.REPORTED, S.REMOTE_RESOLVED)
    check_transition(S.REMOTE_RESOLVED, S.CLOSED)


@pytest.mark.parametrize("current, requested", [
    (S.REPORTED, S.COMPLETED),
    (S.REPORTED, S.ON_SITE),
    (S.ASSIGNED, S.COMPLETED),
    (S.ON_SITE, S.CANCELLED),
    (S.CLOSED, S.TRIAGED),
    (S.CANCELLED, S.REPORTED),
    (S.COMPLETED, S.COMPLETED),
])
def test_illegal_moves_are_refused_with_the_allowed_ones_named(current, requested):
    with pytest.raises(InvalidTransition) as refused:
        check_transition(current, requested)
    assert refused.value.allowed == sorted(ALLOWED_TRANSITIONS[current])
    assert str(current) in str(refused.value)


def test_closed_and_cancelled_are_final():
    assert ALLOWED_TRANSITIONS[S.CLOSED] == frozenset()
    assert ALLOWED_TRANSITIONS[S.CANCELLED] == frozenset()


def test_every_status_has_a_rule_and_only_unfinished_work_is_open():
    assert set(ALLOWED_TRANSITIONS) == set(JobStatus)
    assert not OPEN_STATUSES & {S.COMPLETED, S.CLOSED, S.CANCELLED, S.REMOTE_RESOLVED}
