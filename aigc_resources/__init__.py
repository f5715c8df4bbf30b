"""aigc-resources: a curated, bilingual catalog of AIGC learning resources and its tooling."""

__version__ = "0.1.0"
