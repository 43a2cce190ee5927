"""Results I/O: peql's JSON documents and coefficient stores (written atomically, recognised
again, :mod:`.files`), the results contract as typed structures (:mod:`.documents`), and the
output guard every command that writes goes through (:mod:`.guard`)."""

from .files import (check_results_folder, coefficients_dataset, is_peql_coefficients, is_peql_json, json_safe, read_json,
                    store_attributes, write_coefficients, write_json)
from .guard import FILE, FOLDER, OutputError, check_output, check_overlap, remove_stale_temporaries, temporary_sibling

__all__ = [
    "FILE", "FOLDER", "OutputError", "check_output", "check_results_folder", "check_overlap", "coefficients_dataset", "is_peql_coefficients",
    "is_peql_json", "json_safe", "read_json", "remove_stale_temporaries", "store_attributes", "temporary_sibling",
    "write_coefficients", "write_json",
]
