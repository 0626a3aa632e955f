"""The families benchmark's growth exponent: the least-squares slope in log-log space."""

from __future__ import annotations

import pytest

from benchmarks.run import growth_exponent


@pytest.mark.parametrize("power", [0.5, 1.0, 1.1, 2.0])
def test_growth_exponent_of_a_power_law(power: float) -> None:
    sizes = [1_000.0, 3_000.0, 10_000.0]
    assert growth_exponent(sizes, [2.5 * s**power for s in sizes]) == pytest.approx(power)


def test_growth_exponent_fits_noisy_times() -> None:
    assert growth_exponent([1_000.0, 3_000.0, 10_000.0], [1.0, 3.3, 10.0]) == pytest.approx(
        1.0, abs=0.05
    )
