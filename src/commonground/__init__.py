"""Common Ground: an open, bilingual, verifiable observatory of international AI governance."""

__version__ = "0.1.0"
