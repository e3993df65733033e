"""canrehab: Swedish cancer rehabilitation — care process, follow-up, FHIR."""

__version__ = "0.1.0"
