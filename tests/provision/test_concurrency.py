"""The reservation arithmetic: exact cases, then properties over every input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webhookctl.provision.concurrency import MINIMUM_UNRESERVED, fit_reservations, scale_down, unreserved_after

KEYS = ("receiver", "processor", "audit")


def test_reservations_that_fit_are_kept_as_asked():
    decision = fit_reservations(1000, 1000, {}, {"receiver": 100, "processor": 50, "audit": None})
    assert decision.fits and not decision.scaled
    assert decision.fitted == {"receiver": 100, "processor": 50, "audit": None}
    assert decision.unreserved_if_requested == 850


def test_exactly_the_minimum_left_fits():
    decision = fit_reservations(1000, 1000, {}, {"receiver": 900})
    assert decision.fits
    assert decision.unreserved_if_fitted == MINIMUM_UNRESERVED


def test_one_over_the_budget_is_scaled():
    decision = fit_reservations(1000, 1000, {}, {"receiver": 901})
    assert not decision.fits and decision.scaled
    assert decision.fitted == {"receiver": 900}
    assert decision.unreserved_if_fitted == 100


def test_scaling_is_proportional_and_rounds_down():
    # budget 200 - 100 = 100 for a request of 300 → a third each, floored.
    decision = fit_reservations(200, 200, {}, {"receiver": 100, "processor": 100, "audit": 100})
    assert decision.budget == 100
    assert decision.fitted == {"receiver": 33, "processor": 33, "audit": 33}
    assert decision.unreserved_if_fitted == 101


def test_existing_reservations_of_this_env_return_to_the_pool():
    # 150 unreserved now, but this env already holds 100 that the new values replace.
    decision = fit_reservations(1000, 150, {"receiver": 100, "processor": 0, "audit": 0}, {"receiver": 150})
    assert decision.pool == 250
    assert decision.fits
    assert decision.unreserved_if_requested == 100


def test_a_share_that_rounds_to_zero_means_no_reservation_not_a_throttled_function():
    decision = fit_reservations(1000, 101, {}, {"receiver": 10, "processor": 1})
    assert decision.budget == 1
    assert decision.fitted == {"receiver": None, "processor": None}


def test_an_account_already_below_the_minimum_reserves_nothing():
    # New accounts start with a concurrency limit of 10.
    decision = fit_reservations(10, 10, {}, {"receiver": 5})
    assert decision.budget == 0 and not decision.fits
    assert decision.fitted == {"receiver": None}
    assert decision.unreserved_if_fitted == 10


def test_no_requests_always_fit_and_explicit_zero_is_kept():
    decision = fit_reservations(10, 10, {}, {"receiver": None, "processor": 0})
    assert decision.fits
    assert decision.fitted == {"receiver": None, "processor": 0}


def test_negative_numbers_are_refused():
    with pytest.raises(ValueError, match="unreserved_now"):
        fit_reservations(1000, -1, {}, {})
    with pytest.raises(ValueError, match="receiver"):
        fit_reservations(1000, 1000, {}, {"receiver": -5})


def test_unreserved_after_counts_none_as_nothing():
    assert unreserved_after(500, {"receiver": 50}, {"receiver": None, "processor": 20}) == 530


def test_scale_down_keeps_requests_within_budget_untouched():
    requested = {"receiver": 10, "processor": None}
    assert scale_down(requested, 10) == requested


requests = st.dictionaries(st.sampled_from(KEYS), st.one_of(st.none(), st.integers(0, 5000)))
existing = st.fixed_dictionaries({key: st.integers(0, 2000) for key in KEYS})


@settings(max_examples=400, deadline=None)
@given(unreserved_now=st.integers(0, 20000), existing=existing, requested=requests, minimum=st.integers(0, 500))
def test_fitted_reservations_always_leave_the_minimum_when_the_pool_allows(unreserved_now, existing, requested, minimum):
    decision = fit_reservations(unreserved_now + sum(existing.values()), unreserved_now, existing, requested, minimum)
    pool = unreserved_now + sum(existing.values())
    # Never below the minimum, unless the account was already below it before this env reserved anything.
    assert decision.unreserved_if_fitted >= min(minimum, pool)
    if decision.requested_total and decision.fits:
        assert decision.unreserved_if_requested >= minimum


@settings(max_examples=400, deadline=None)
@given(unreserved_now=st.integers(0, 20000), existing=existing, requested=requests)
def test_fitted_reservations_never_exceed_the_request(unreserved_now, existing, requested):
    decision = fit_reservations(20000, unreserved_now, existing, requested)
    assert decision.fitted.keys() == requested.keys()
    for key, asked in requested.items():
        got = decision.fitted[key]
        if asked is None:
            assert got is None
        elif got is not None:
            assert 0 <= got <= asked
            assert got > 0 or asked == 0  # a positive request never becomes a throttling 0


@settings(max_examples=400, deadline=None)
@given(unreserved_now=st.integers(0, 20000), existing=existing, requested=requests)
def test_scaling_is_proportional(unreserved_now, existing, requested):
    decision = fit_reservations(20000, unreserved_now, existing, requested)
    total = decision.requested_total
    if decision.fits:
        assert decision.fitted == requested
        return
    budget = decision.budget
    for key, asked in requested.items():
        if not asked:
            continue
        exact = asked * budget / total
        got = decision.fitted[key] or 0
        assert exact - 1 < got <= exact  # floor of the exact proportional share
    # Rounding down loses less than one unit per function.
    assert budget - len(requested) < sum(v or 0 for v in decision.fitted.values()) <= budget


@settings(max_examples=200, deadline=None)
@given(unreserved_now=st.integers(0, 20000), existing=existing, requested=requests)
def test_scaling_keeps_the_order_of_requests(unreserved_now, existing, requested):
    decision = fit_reservations(20000, unreserved_now, existing, requested)
    positive = [(asked, decision.fitted[key] or 0) for key, asked in requested.items() if asked]
    for asked_a, got_a in positive:
        for asked_b, got_b in positive:
            if asked_a <= asked_b:
                assert got_a <= got_b
