"""formcheck: rep-by-rep form feedback for rehab exercises from pose landmarks."""

__version__ = "0.1.0"
