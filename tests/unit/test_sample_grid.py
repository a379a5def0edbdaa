"""Recorded samples laid on one time grid (`lamina.backends.sample_grid`)."""
import numpy as np
import pytest

from lamina.backends.sample_grid import Piece, column_pieces, on_grid
from lamina.errors import InvalidDimensionsError


def test_pieces_land_at_their_steps_with_nan_between():
    a = Piece(np.array([0, 2, 4]), np.array([0, 1]), np.array([[1.0, 2.0], [3, 4], [5, 6]]))
    b = Piece(np.array([10, 12]), np.array([1]), np.array([[7.0], [8.0]]))
    t0, interval, v = on_grid([a, b], 2, 2, 0.1, 99, "v")
    assert (t0, interval) == (0.0, pytest.approx(0.2))
    expected = np.full((7, 2), np.nan)
    expected[:3] = [[1, 2], [3, 4], [5, 6]]
    expected[5:, 1] = [7, 8]
    np.testing.assert_array_equal(v, expected)


def test_no_samples_give_an_empty_signal_starting_now():
    t0, interval, v = on_grid(column_pieces([(np.zeros(0), np.zeros(0))]), 1, 3, 0.1, 20, "v")
    assert (t0, v.shape) == (pytest.approx(2.0), (0, 1)) and interval == pytest.approx(0.3)


def test_single_samples_use_the_given_interval():
    t0, interval, v = on_grid(column_pieces([(np.array([4]), np.array([1.0])),
                                             (np.array([8]), np.array([2.0]))]), 2, 2, 0.5, 0, "v")
    assert (t0, interval) == (2.0, 1.0)
    np.testing.assert_array_equal(v, [[1.0, np.nan], [np.nan, np.nan], [np.nan, 2.0]])


def test_different_intervals_are_refused_with_both_named():
    a = Piece(np.array([0, 1, 2]), np.array([0]), np.ones((3, 1)))
    b = Piece(np.array([10, 12]), np.array([0]), np.ones((2, 1)))
    with pytest.raises(InvalidDimensionsError, match=r"'gsyn_exc'.*0\.1, 0\.2 ms"):
        on_grid([a, b], 1, 1, 0.1, 20, "gsyn_exc")


def test_samples_off_the_common_grid_are_refused():
    a = Piece(np.array([0, 2]), np.array([0]), np.ones((2, 1)))
    b = Piece(np.array([5, 7]), np.array([1]), np.ones((2, 1)))
    with pytest.raises(InvalidDimensionsError, match=r"'v'.*different time grids.*0\.2 ms"):
        on_grid([a, b], 2, 2, 0.1, 20, "v")
