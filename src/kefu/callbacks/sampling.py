"""Reproducible, auditable sampling: whether a customer is picked depends only
on the policy and the occasion, never on the order of the rows or on the day
the generator ran, so a supervisor can re-run the draw and see why."""

import hashlib
from decimal import Decimal

SCALE = 16**12


def draw(policy_code: str, key: str) -> float:
    """A number in [0, 1) fixed for this policy and occasion."""
    digest = hashlib.sha256(f"{policy_code}|{key}".encode()).hexdigest()
    return int(digest[:12], 16) / SCALE


def pick(policy_code: str, ratio, key: str) -> tuple[bool, dict]:
    value = draw(policy_code, key)
    ratio = Decimal(ratio)
    chosen = ratio >= 1 or value < float(ratio)
    return chosen, {"policy": policy_code, "key": key, "draw": round(value, 6), "ratio": str(ratio)}


def slot(policy_code: str, customer_id: int, spread_days: int) -> int:
    """The day (0 … spread_days-1) of a spread cycle on which a periodic
    policy reaches this customer, so a quarter's work is spread evenly."""
    return int(draw(f"{policy_code}#slot", str(customer_id)) * spread_days)
