"""TETRA radio bridge: the PEI (EN 300 392-5) link to a gateway radio. Pure Python + pyserial, no Qt."""
