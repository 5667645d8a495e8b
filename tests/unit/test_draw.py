"""The draw algorithm: reproducible, verifiable, uniform over eligible experts, never picking excluded ones."""
import copy
from collections import Counter

import pytest

from app.experts.draw import compute_picks, inputs_digest, new_seed
from app.experts.models import Draw
from app.experts.services import verify

POOL = [{"id": i, "name": f"E{i}", "fields": ["legal"] if i <= 6 else ["market"]} for i in range(1, 15)]
REQUEST = {"fields": {"legal": 1, "market": 2}, "reserves": 1}
EXCLUDED = [{"expert_id": 3, "reason": "manual", "detail": "x"}, {"expert_id": 9, "reason": "subject", "detail": ""}]


def test_same_inputs_same_picks():
    seed = new_seed()
    a, _ = compute_picks(POOL, EXCLUDED, REQUEST, seed)
    b, _ = compute_picks(copy.deepcopy(POOL), copy.deepcopy(EXCLUDED), dict(REQUEST), seed)
    assert a == b and len(a) == 5
    assert [p["role"] for p in a] == ["member", "reserve", "member", "member", "reserve"]



def _draw():
    seed = "ab" * 32
    picks, _ = compute_picks(POOL, EXCLUDED, REQUEST, seed)
    return Draw(pool=copy.deepcopy(POOL), exclusions=copy.deepcopy(EXCLUDED), request=copy.deepcopy(REQUEST), seed=seed,
                algorithm="xl-draw-v1", picks=picks, inputs_digest=inputs_digest(POOL, EXCLUDED, REQUEST, seed, "xl-draw-v1"))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: setattr(d, "seed", "cd" * 32),
        lambda d: setattr(d, "pool", d.pool[1:]),
        lambda d: d.pool.append({"id": 99, "name": "X", "fields": ["legal", "market"]}),
        lambda d: setattr(d, "exclusions", d.exclusions[:1]),
        lambda d: setattr(d, "request", {"fields": {"legal": 2, "market": 2}, "reserves": 1}),
        lambda d: setattr(d, "algorithm", "xl-draw-v0"),
        lambda d: setattr(d, "picks", list(reversed(d.picks))),
    ],
)
def test_verification_fails_when_any_stored_input_is_altered(tamper):
    d = _draw()
    assert verify(d)[0] is True
    tamper(d)
    assert verify(d)[0] is False


def test_every_eligible_expert_is_picked_at_the_expected_rate_and_excluded_never():
    """5,000 draws: legal has 5 eligible (6 minus 1 excluded) for 1 member seat -> 1/5 each; market has 7
    eligible (8 minus 1) for 2 seats -> 2/7 each. Tolerance: 5 standard deviations of a binomial."""
    runs = 5000
    members = Counter()
    for _ in range(runs):
        picks, shortfalls = compute_picks(POOL, EXCLUDED, REQUEST, new_seed())
        assert not shortfalls
        members.update(p["expert_id"] for p in picks if p["role"] == "member")
    assert members[3] == 0 and members[9] == 0
    for eid, p in [(i, 1 / 5) for i in (1, 2, 4, 5, 6)] + [(i, 2 / 7) for i in (7, 8, 10, 11, 12, 13, 14)]:
        sd = (runs * p * (1 - p)) ** 0.5
        assert abs(members[eid] - runs * p) < 5 * sd, (eid, members[eid], runs * p)


def test_shortfall_is_reported_per_field():
    picks, shortfalls = compute_picks(POOL, EXCLUDED, {"fields": {"legal": 6, "market": 2}, "reserves": 0}, new_seed())
    assert [(s.field, s.needed, s.eligible) for s in shortfalls] == [("legal", 6, 5)]
