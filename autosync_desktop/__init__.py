"""AutoSync Desktop: advertising data synced to your own machine, on a schedule you control."""

__version__ = "0.1.0"
