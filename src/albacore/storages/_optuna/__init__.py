"""Users' existing Optuna storages: recognise them, import their studies, or convert a database in place.

- :func:`import_optuna_storage` copies studies from an Optuna database, journal file or Redis journal into
  any albacore storage and leaves the source untouched (``albacore storage import``).
- :func:`convert_optuna_database` converts an Optuna database in place (``albacore storage upgrade
  --from-optuna``).
- :func:`optuna_storage_message` is the error text albacore gives when it is pointed at an Optuna storage.

Readers (``_rdb``, ``_journal``) turn each kind of source into plain :class:`SourceStudy` records; one writer
(``_writer``) puts them into any :class:`~albacore.storages.BaseStorage`, which ``copy_study`` uses too.
"""

from albacore.storages._optuna._convert import ConversionReport, convert_optuna_database
from albacore.storages._optuna._import import import_optuna_storage
from albacore.storages._optuna._message import optuna_storage_message
from albacore.storages._optuna._records import SourceStudy
from albacore.storages._optuna._writer import IMPORT_ATTR, StudyOutcome, write_study

__all__ = [
    "IMPORT_ATTR",
    "ConversionReport",
    "SourceStudy",
    "StudyOutcome",
    "convert_optuna_database",
    "import_optuna_storage",
    "optuna_storage_message",
    "write_study",
]
