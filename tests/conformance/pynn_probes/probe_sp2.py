"""Probe for compare_with_pynn.py: run with 'pynn' (real PyNN) or 'compat' (lamina)."""
import sys, numpy as np
if sys.argv[1] == "pynn":
    import pyNN.nest as sim
    from pyNN import space
else:
    import lamina.compat; lamina.compat.install()
    import pyNN.nest as sim
    from pyNN import space
def R(tag, f):
    try: out = f()
    except Exception as e: out = f"ERR {type(e).__name__}: {str(e)[:120]}"
    print(f"[{tag}] {out!r}"[:400])
R("line", lambda: space.Line(dx=2.0, x0=1.0, y=3.0).generate_positions(3).tolist())
R("grid2d", lambda: space.Grid2D(aspect_ratio=2.0, dx=1.0, dy=2.0).generate_positions(8).tolist())
R("grid2d random", lambda: space.Grid2D(fill_order="random", rng=sim.NumpyRNG(1)).generate_positions(4).shape)
R("grid2d calc", lambda: space.Grid2D(aspect_ratio=2.0).calculate_size(8))
R("grid2d bad", lambda: space.Grid2D().generate_positions(3))
R("grid3d", lambda: space.Grid3D(aspect_ratioXY=1.0, aspect_ratioXZ=2.0).generate_positions(16).T.tolist()[:5])
R("grid3d calc", lambda: space.Grid3D(1.0, 2.0).calculate_size(16))
R("params", lambda: space.Grid2D().get_parameters())
R("params line", lambda: space.Line().get_parameters())
R("params g3", lambda: space.Grid3D().get_parameters())
R("describe", lambda: space.Line().describe())
R("describe ctx", lambda: space.Line().describe(template=None))
R("random structure", lambda: space.RandomStructure(boundary=space.Cuboid(1, 2, 3), origin=(1.0, 0, 0), rng=sim.NumpyRNG(2)).generate_positions(3).shape)
R("rs params", lambda: sorted(space.RandomStructure(boundary=space.Sphere(2.0)).get_parameters().keys()))
R("sphere sample", lambda: space.Sphere(2.0).sample(4, sim.NumpyRNG(1)).shape)
R("cuboid sample", lambda: space.Cuboid(1, 2, 3).sample(4, sim.NumpyRNG(1)).shape)
R("space dist", lambda: space.Space().distances(np.array([[0.0, 0, 0]]).T, np.array([[3.0, 4, 0], [1, 1, 1]]).T).tolist())
R("space axes", lambda: space.Space(axes="xy").distances(np.array([[0.0, 0, 5]]).T, np.array([[3.0, 4, 0]]).T).tolist())
R("space periodic", lambda: space.Space(periodic_boundaries=((0, 10), None, None)).distances(np.array([[1.0, 0, 0]]).T, np.array([[9.0, 0, 0]]).T).tolist())
R("space scale offset", lambda: space.Space(scale_factor=2.0, offset=1.0).distances(np.array([[0.0, 0, 0]]).T, np.array([[3.0, 4, 0]]).T).tolist())
R("distance fn", lambda: space.distance(sim.Population(2, sim.IF_cond_exp())[0], sim.Population(2, sim.IF_cond_exp())[1]) if False else "skip")
R("line eq", lambda: space.Line() == space.Line())
R("grid eq", lambda: space.Grid2D(dx=2) == space.Grid2D(dx=2.0))
R("bad axes", lambda: space.Space(axes="q"))
R("line repr", lambda: repr(space.Line(dx=2)))
R("rs repr", lambda: repr(space.RandomStructure(boundary=space.Sphere(2.0))))
R("sphere repr", lambda: repr(space.Sphere(2.0)))
R("cuboid repr", lambda: repr(space.Cuboid(1, 2, 3)))
R("space repr", lambda: repr(space.Space()))
