"""score: scoring toolkit for the 美丽楼院 (beautiful courtyard) inspections of a community office."""

__version__ = "0.1.0"
