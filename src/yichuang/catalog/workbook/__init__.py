"""The catalogue workbook (docs/catalog-workbook.md): export, template, and an
import that validates every row before it changes anything.

An import either applies every row or none: the report names each bad row, its
column and the reason, in Chinese. Items whose definition is unchanged are left
alone (so export → import changes nothing); changed items get a new published
version; new items are created with version 1.

One module per step: ``columns`` (the format), ``reading``, ``validating``,
``planning``, ``applying`` (the import, run in that order by ``importing``)
and ``exporting``.
"""

from .columns import (
    BUNDLE_COLUMNS,
    BUNDLES,
    ITEM_COLUMNS,
    ITEMS,
    MATERIAL_COLUMNS,
    MATERIALS,
    MAX_DETAIL_ROWS,
    MAX_FILE_BYTES,
    MAX_ITEM_ROWS,
    README,
    STEP_COLUMNS,
    STEPS,
)
from .exporting import build_workbook, catalog_export, catalog_template
from .importing import catalog_import
from .report import ImportReport

__all__ = [
    "BUNDLES",
    "BUNDLE_COLUMNS",
    "ITEMS",
    "ITEM_COLUMNS",
    "MATERIALS",
    "MATERIAL_COLUMNS",
    "MAX_DETAIL_ROWS",
    "MAX_FILE_BYTES",
    "MAX_ITEM_ROWS",
    "README",
    "STEPS",
    "STEP_COLUMNS",
    "ImportReport",
    "build_workbook",
    "catalog_export",
    "catalog_import",
    "catalog_template",
]
