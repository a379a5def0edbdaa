"""Backend-independent objects: Population, PopulationView, Assembly, ID, Projection,
recorders, current sources and the simulation state. They keep parameters, initial values
and connections as numpy arrays and reach the simulator only through the Backend interface."""
