"""The presenter: audience window on the projector, console on the laptop."""
