"""Cultural-market enforcement command console: application core and composition root."""

__version__ = "0.1.0"
