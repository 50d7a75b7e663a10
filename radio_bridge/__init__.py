"""TETRA radio bridge: PEI (EN 300 392-5) link to a gateway radio; pure Python, no Qt."""
