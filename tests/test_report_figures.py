"""Report figures stay readable: a constant coefficient recovered to 1e-6 is not drawn as scatter."""

import numpy as np
import pytest

from peql.report import readable_ylim


def test_tiny_deviations_from_a_constant_get_a_panel_around_the_value():
    true = np.full(50, 0.1)
    lo, hi = readable_ylim((0.1 - 2e-6, 0.1 + 1e-6), true)
    assert lo == pytest.approx(0.09) and hi == pytest.approx(0.11)


def test_estimates_that_are_really_off_keep_their_limits():
    true = np.linspace(-1, 1, 50)
    assert readable_ylim((-3.0, 4.0), true) == (-3.0, 4.0)
