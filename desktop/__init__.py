"""SkinLens desktop app: capture, analysis, recommendations and catalog sync, all on this machine."""

__version__ = "0.1.0"
