"""The PAR extract: column names, stored (Parquet) types and the row rules that ``validate`` applies.

One row per care contact. Text columns as delivered; see docs/followup.md for the rules in Swedish and
English.
"""

from __future__ import annotations

import pyarrow as pa

COLUMNS: tuple[str, ...] = ("lopnr", "kon", "alder", "lan", "vardform", "indatum", "utdatum", "hdia", "op")

# Types of the imported (columnar) dataset. ``year`` is the contact year (see CONTACT_YEAR_RULE) and is the
# Hive partition key of an imported dataset directory.
STORED_SCHEMA = pa.schema(
    [
        pa.field("lopnr", pa.string(), nullable=False),
        pa.field("kon", pa.int8(), nullable=False),
        pa.field("alder", pa.int16(), nullable=False),
        pa.field("lan", pa.string()),  # null: county of residence unknown
        pa.field("vardform", pa.string(), nullable=False),
        pa.field("indatum", pa.date32(), nullable=False),
        pa.field("utdatum", pa.date32()),
        pa.field("hdia", pa.string(), nullable=False),
        pa.field("op", pa.string(), nullable=False),  # KVÅ codes separated by single spaces; "" for none
    ]
)

VARDFORMER: tuple[str, ...] = ("sluten", "oppen")
KON_VALUES: tuple[str, ...] = ("1", "2")
MAX_AGE = 125
MAX_LOPNR_LENGTH = 64

# ICD-10(-SE) code without dot: letter, two digits, up to three more characters (C509, C910A, S7200).
ICD10_PATTERN = r"^[A-Z][0-9]{2}[0-9A-Z]{0,3}$"
# KVÅ: five characters, medical codes two letters + three digits (AW020), surgical codes three letters + two
# digits (NGB49).
KVA_PATTERN = r"^[A-Z]{2}[A-Z0-9][0-9]{2}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# Cancer main diagnoses: ICD-10 C00-C97 (malignant tumours).
CANCER_FIRST = "C00"
CANCER_LAST = "C97"

CONTACT_YEAR_RULE = (
    "Kontaktens år är utskrivningsårets (utdatum) för slutenvård och besöksårets (indatum) för öppenvård, "
    "som i patientregistrets årsstatistik över avslutade vårdtillfällen."
)

# Reasons, Swedish (user-facing).
REASON_MISSING = "värde saknas"
REASON_LOPNR_TOO_LONG = f"löpnummer längre än {MAX_LOPNR_LENGTH} tecken"
REASON_KON = "kön ska vara 1 (man) eller 2 (kvinna)"
REASON_ALDER = f"ålder ska vara ett heltal 0–{MAX_AGE}"
REASON_LAN = "okänd länskod (SCB:s tvåsiffriga kod, eller tomt om okänt)"
REASON_VARDFORM = "okänd vårdform (sluten eller oppen)"
REASON_DATE = "ogiltigt datum (ÅÅÅÅ-MM-DD)"
REASON_UTDATUM_OPPEN = "utdatum anges bara för slutenvård"
REASON_UTDATUM_MISSING = "utdatum saknas för slutenvård"
REASON_UT_BEFORE_IN = "utdatum före indatum"
REASON_HDIA = "felaktig ICD-10-kod (t.ex. C509, utan punkt)"
REASON_OP = "felaktig KVÅ-kod (fem tecken, t.ex. AW020), koder skiljs med mellanslag"
REASON_COLUMNS = "fel antal kolumner"
REASON_ENCODING = "tecken som inte är UTF-8 (spara filen som UTF-8)"
