from webhookctl.localcloud.gateway import throttle, waf


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_token_bucket_allows_burst_then_rate():
    clock = Clock()
    bucket = throttle.TokenBucket(rate=2, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5  # one token back at 2/s
    assert bucket.take() and not bucket.take()


def test_zero_burst_throttles_everything():
    assert not throttle.TokenBucket(rate=0, burst=0).take()


def test_stage_limits_read_the_star_star_setting():
    assert throttle.stage_limits({"*/*": {"throttlingRateLimit": 5.0, "throttlingBurstLimit": 7}}) == (5.0, 7)
    assert throttle.stage_limits({}) == (throttle.DEFAULT_RATE, throttle.DEFAULT_BURST)


def test_changed_limits_replace_the_bucket():
    clock = Clock()
    stages = throttle.StageThrottles(clock)
    assert stages.allow("api", "live", 1, 1) and not stages.allow("api", "live", 1, 1)
    assert stages.allow("api", "live", 1, 2)  # a new limit starts a full bucket
    assert stages.allow("api", "other", 1, 1)


RULES = [
    {"Name": "per-ip", "Priority": 1, "Action": {"Block": {}}, "Statement": {"RateBasedStatement": {"Limit": 3, "AggregateKeyType": "IP", "EvaluationWindowSec": 60}}},
    {"Name": "count-only", "Priority": 2, "Action": {"Count": {}}, "Statement": {"RateBasedStatement": {"Limit": 1, "AggregateKeyType": "IP"}}},
    {"Name": "geo", "Priority": 0, "Action": {"Block": {}}, "Statement": {"GeoMatchStatement": {"CountryCodes": ["XX"]}}},
]


def test_rate_rules_are_parsed_by_priority():
    parsed = waf.rate_rules(RULES)
    assert [(r.name, r.limit, r.window_s, r.blocks) for r in parsed] == [("per-ip", 3, 60, True), ("count-only", 1, 300, False)]


def test_rate_rule_blocks_past_the_limit_per_ip_and_forgets_after_the_window():
    clock = Clock()
    counter = waf.RateCounter(clock)
    rules = waf.rate_rules(RULES)
    assert [counter.blocked("acl", rules, "1.1.1.1") for _ in range(4)] == [False, False, False, True]
    assert not counter.blocked("acl", rules, "2.2.2.2")  # another source IP has its own count
    clock.now += 61
    assert not counter.blocked("acl", rules, "1.1.1.1")
