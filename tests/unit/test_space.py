"""Tests of lamina.space: distances, periodic boundaries, structures."""
import numpy as np
import pytest

from lamina.errors import InvalidDimensionsError, InvalidParameterValueError
from lamina.random import NumpyRNG
from lamina.space import Cuboid, Grid2D, Grid3D, Line, RandomStructure, Space, Sphere


def test_distances_euclidean_matrix_shape_and_values():
    A = np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])      # (3, 2)
    B = np.array([[3.0, 0.0, 1.0], [4.0, 0.0, 1.0], [0.0, 2.0, 1.0]])  # (3, 3)
    d = Space().distances(A, B)
    expected = np.array([[5.0, 2.0, np.sqrt(3)], [np.sqrt(20), np.sqrt(5), np.sqrt(2)]])
    np.testing.assert_allclose(d, expected, rtol=1e-12)


def test_single_position_is_accepted():
    d = Space().distances(np.zeros(3), np.array([[3.0, 0.0], [4.0, 1.0], [0.0, 0.0]]))
    np.testing.assert_allclose(d, [[5.0, 1.0]])


def test_axes_restrict_coordinates():
    A, B = np.array([0.0, 0.0, 0.0]), np.array([3.0, 4.0, 12.0])
    assert Space(axes="xy").distances(A, B)[0, 0] == pytest.approx(5.0)
    assert Space(axes="z").distances(A, B)[0, 0] == pytest.approx(12.0)
    assert Space().distances(A, B)[0, 0] == pytest.approx(13.0)
    np.testing.assert_allclose(Space(axes="xz").distances(A, B, expand=True)[:, 0, 0], [3.0, 12.0])


def test_scale_factor_and_offset_apply_to_second_positions():
    space = Space(scale_factor=2.0, offset=1.0, axes="x")
    d = space.distances(np.array([0.0, 0, 0]), np.array([1.0, 0, 0]))
    assert d[0, 0] == pytest.approx(4.0)  # 2 * (1 + 1) - 0


def test_periodic_boundaries_hand_computed():
    space = Space(periodic_boundaries=((0, 10), (0, 10), None))
    A = np.array([[1.0], [1.0], [0.0]])
    B = np.array([[9.0, 6.0, 1.0], [9.0, 1.0, 1.0], [0.0, 0.0, 5.0]])
    # (1,1,0)-(9,9,0): wrapped dx=2, dy=2 -> sqrt(8); (6,1,0): dx=min(5,5)=5;
    # (1,1,5): z is not periodic -> 5
    np.testing.assert_allclose(space.distances(A, B), [[np.sqrt(8), 5.0, 5.0]], rtol=1e-12)
    disp = space.displacements(A, B)
    assert disp.shape == (3, 1, 3)
    np.testing.assert_allclose(disp[:, 0, 0], [-2.0, -2.0, 0.0])
    np.testing.assert_allclose(disp[:, 0, 2], [0.0, 0.0, 5.0])


def test_periodic_positions_outside_box_are_wrapped():
    space = Space(axes="x", periodic_boundaries=((0, 10), None, None))
    assert space.distances(np.array([0.5, 0, 0]), np.array([29.0, 0, 0]))[0, 0] == pytest.approx(1.5)


def test_displacements_sign_is_b_minus_a_and_axes_zeroed():
    disp = Space(axes="xy").displacements(np.array([1.0, 2.0, 3.0]), np.array([4.0, 0.0, 9.0]))
    np.testing.assert_allclose(disp[:, 0, 0], [3.0, -2.0, 0.0])


@pytest.mark.parametrize("kwargs, fragment", [
    ({"axes": "xw"}, "axes='xw'"),
    ({"periodic_boundaries": ((0, 1), None)}, "three entries"),
    ({"periodic_boundaries": ((1, 0), None, None)}, "axis x"),
])
def test_space_bad_arguments(kwargs, fragment):
    with pytest.raises(InvalidParameterValueError, match=fragment):
        Space(**kwargs)


def test_bad_position_shape():
    with pytest.raises(InvalidDimensionsError, match=r"\(2, 4\)"):
        Space().distances(np.zeros((2, 4)), np.zeros(3))


def test_line_positions():
    pos = Line(dx=2.0, x0=1.0, y=3.0, z=-1.0).generate_positions(4)
    np.testing.assert_array_equal(pos, [[1, 3, 5, 7], [3, 3, 3, 3], [-1, -1, -1, -1]])
    assert pos.dtype == float


def test_grid2d_sequential_positions():
    pos = Grid2D(aspect_ratio=2.0, dx=10.0, dy=5.0, x0=1.0, y0=2.0, z=7.0).generate_positions(8)
    # nx = 4, ny = 2; y varies fastest
    np.testing.assert_array_equal(pos[0], [1, 1, 11, 11, 21, 21, 31, 31])
    np.testing.assert_array_equal(pos[1], [2, 7, 2, 7, 2, 7, 2, 7])
    np.testing.assert_array_equal(pos[2], np.full(8, 7.0))


def test_grid2d_random_fill_is_permutation_and_reproducible():
    seq = Grid2D().generate_positions(16)
    r1 = Grid2D(fill_order="random", rng=NumpyRNG(4)).generate_positions(16)
    r2 = Grid2D(fill_order="random", rng=NumpyRNG(4)).generate_positions(16)
    np.testing.assert_array_equal(r1, r2)
    assert not np.array_equal(r1, seq)
    assert sorted(map(tuple, r1.T)) == sorted(map(tuple, seq.T))


def test_grid2d_size_mismatch():
    with pytest.raises(InvalidDimensionsError, match=r"n=10.*aspect_ratio=1"):
        Grid2D().generate_positions(10)
    with pytest.raises(InvalidDimensionsError, match=r"n=9.*aspect_ratio=2"):
        Grid2D(aspect_ratio=2.0).generate_positions(9)


def test_grid3d_positions_and_mismatch():
    pos = Grid3D(aspect_ratioXY=1.0, aspect_ratioXZ=2.0, dx=1.0, dy=2.0, dz=3.0,
                 z0=1.0).generate_positions(4)  # nx = ny = 2, nz = 1
    np.testing.assert_array_equal(pos, [[0, 0, 1, 1], [0, 2, 0, 2], [1, 1, 1, 1]])
    pos = Grid3D(dz=3.0, z0=1.0).generate_positions(27)
    np.testing.assert_array_equal(pos[:, 1], [0.0, 0.0, 4.0])
    np.testing.assert_array_equal(pos[:, 3], [0.0, 1.0, 1.0])
    assert set(pos[2]) == {1.0, 4.0, 7.0}
    with pytest.raises(InvalidDimensionsError, match=r"n=10.*aspect_ratioXY"):
        Grid3D().generate_positions(10)


def test_grid_bad_fill_order():
    with pytest.raises(InvalidParameterValueError, match="fill_order='spiral'"):
        Grid2D(fill_order="spiral")


def test_random_structure_cuboid_inside_and_uniform():
    struct = RandomStructure(Cuboid(10.0, 20.0, 4.0), origin=(1.0, 2.0, 3.0), rng=NumpyRNG(1))
    pos = struct.generate_positions(20_000)
    assert pos.shape == (3, 20_000)
    for axis, (centre, size) in enumerate(((1.0, 10.0), (2.0, 20.0), (3.0, 4.0))):
        assert np.all(np.abs(pos[axis] - centre) <= size / 2)
        # mean within 5 standard errors of the centre (uniform std = size/sqrt(12))
        assert abs(pos[axis].mean() - centre) < 5 * size / np.sqrt(12 * 20_000)


def test_random_structure_sphere_inside_and_uniform_in_volume():
    pos = RandomStructure(Sphere(5.0), origin=(0.0, 0.0, 10.0),
                          rng=NumpyRNG(2)).generate_positions(20_000)
    r = np.linalg.norm(pos - np.array([[0.0], [0.0], [10.0]]), axis=0)
    assert r.max() <= 5.0
    # uniform in volume: P(r < 5/2) = 1/8, within 5 binomial std errors
    assert abs((r < 2.5).mean() - 0.125) < 5 * np.sqrt(0.125 * 0.875 / 20_000)


def test_random_structure_reproducible_and_bad_boundary():
    a = RandomStructure(Sphere(1.0), rng=NumpyRNG(3)).generate_positions(10)
    b = RandomStructure(Sphere(1.0), rng=NumpyRNG(3)).generate_positions(10)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(InvalidParameterValueError, match="boundary"):
        RandomStructure("sphere")


def test_structure_parameters_equality_describe():
    g = Grid2D(aspect_ratio=2.0, dx=3.0)
    assert g.get_parameters()["aspect_ratio"] == 2.0
    assert set(g.get_parameters()) == set(g.parameter_names)
    assert g == Grid2D(aspect_ratio=2.0, dx=3.0)
    assert g != Grid2D(aspect_ratio=2.0, dx=4.0)
    assert g != Line()
    assert "Grid2D(" in repr(g) and "dx=3.0" in repr(g)
    assert g.describe() == ("Structure 'Grid2D' with the following parameters: "
                            f"{g.get_parameters()!r}")                  # PyNN's text
    assert g.describe(template=None) == {"name": "Grid2D", "parameters": g.get_parameters()}
    assert set(RandomStructure(Sphere(2.0)).get_parameters()) == {"boundary", "origin", "rng"}
    assert RandomStructure(Sphere(2.0)) == RandomStructure(Sphere(2.0))
    assert RandomStructure(Sphere(2.0)) != RandomStructure(Cuboid(2.0, 2.0, 2.0))
