"""Follow-up engine: patient-register (PAR) extracts -> study population -> KVÅ and indicator statistics.

Import and validation (``importer``, ``validate``), the population rule (``population``), indicator
definitions as data (``definitions/indicators.yaml``, ``goals``), Ibis expressions that run on DuckDB or
PySpark (``indicators``, ``backends``), small-count disclosure control (``suppression``), the report's tables
(``tables``) and their rendering (``render``). The Python API for other layers is in
``canrehab.followup.api``.
"""
