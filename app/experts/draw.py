"""The random draw, as a pure function of stored inputs, so anyone can recompute and check it.

Algorithm xl-draw-v1: fields are served in a fixed order (legal first, then the others by name). For each
field, the eligible candidates (in the pool, having the field, not excluded, not already picked) are
ordered by HMAC-SHA256(seed, "<field>:<expert id>") — a uniformly random permutation for a secret random
seed — and the first `n` become members, the next `reserves` reserves. The seed comes from `secrets`."""
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

ALGORITHM = "xl-draw-v1"


def new_seed() -> str:
    return secrets.token_hex(32)


def field_order(fields) -> list[str]:
    return sorted(fields, key=lambda f: (f != "legal", f))


def _key(seed: str, field: str, expert_id: int) -> str:
    return hmac.new(bytes.fromhex(seed), f"{field}:{expert_id}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Shortfall:
    field: str
    needed: int
    eligible: int


def compute_picks(pool: list[dict], exclusions: list[dict], request: dict, seed: str, algorithm: str = ALGORITHM):
    """Returns (picks, shortfalls). picks: [{"expert_id", "field", "role": member|reserve, "rank"}].
    A field is short when fewer eligible experts exist than members requested (reserves are best effort)."""
    if algorithm != ALGORITHM:
        raise ValueError(f"unknown draw algorithm {algorithm}")
    excluded = {e["expert_id"] for e in exclusions}
    picked: set[int] = set()
    picks, shortfalls = [], []
    reserves = int(request.get("reserves", 0))
    for field in field_order(request["fields"]):
        n = int(request["fields"][field])
        eligible = [c for c in pool if field in c["fields"] and c["id"] not in excluded and c["id"] not in picked]
        if len(eligible) < n:
            shortfalls.append(Shortfall(field, n, len(eligible)))
            continue
        ordered = sorted(eligible, key=lambda c: _key(seed, field, c["id"]))
        for rank, c in enumerate(ordered[: n + reserves]):
            picks.append({"expert_id": c["id"], "field": field, "role": "member" if rank < n else "reserve", "rank": rank})
            picked.add(c["id"])
    return picks, shortfalls


def inputs_digest(pool: list[dict], exclusions: list[dict], request: dict, seed: str, algorithm: str) -> str:
    """SHA-256 of the canonical JSON of every input. Recorded on the draw and in the case's hash-chained
    timeline at draw time, so altering any input — even one that would not change the picks — shows."""
    canonical = json.dumps(
        {"pool": pool, "exclusions": exclusions, "request": request, "seed": seed, "algorithm": algorithm},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
