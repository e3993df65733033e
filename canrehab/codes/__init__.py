"""Code systems as data: counties and RCC, KVÅ subset, ICD-10 ranges, professions, diagnosis processes."""
