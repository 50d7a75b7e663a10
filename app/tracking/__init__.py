"""Vehicle and unit tracking services (JT/T 808 vehicle terminals: :mod:`app.tracking.jt808`)."""
