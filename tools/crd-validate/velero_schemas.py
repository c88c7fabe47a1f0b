"""Write strict JSON schemas for Velero's resources from the cloudcoil Velero models.

No npm package models Velero, so its schemas come from ``cloudcoil-models-velero`` (pydantic
models generated from Velero's CRDs). pydantic ignores unknown fields by default, so every
object of the exported schema is closed (``additionalProperties: false``) the way
``generate-schemas.mjs`` closes the others: a misspelled field is an error, not a no-op.

Usage: PYTHONPATH=<dir with cloudcoil> python velero_schemas.py OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pydantic
from cloudcoil.models.velero import v1

KINDS = ("Schedule", "Backup", "Restore", "BackupStorageLocation", "VolumeSnapshotLocation")


def close_objects(node: Any) -> None:
    """Forbid unknown properties on every object that lists its properties.

    pydantic spells an optional field as ``anyOf: [<type>, null]``; the null branch goes,
    so an error inside the field is reported where it is rather than as "not null".
    """
    if isinstance(node, dict):
        alternatives = node.get("anyOf")
        if isinstance(alternatives, list) and {"type": "null"} in alternatives:
            rest = [item for item in alternatives if item != {"type": "null"}]
            del node["anyOf"]
            if len(rest) == 1:
                node.update(rest[0])
            else:
                node["anyOf"] = rest
        properties = node.get("properties")
        if isinstance(properties, dict) and "additionalProperties" not in node:
            # An object with no listed property is free-form (FieldsV1, raw JSON).
            node["additionalProperties"] = not properties
        for value in node.values():
            close_objects(value)
    elif isinstance(node, list):
        for value in node:
            close_objects(value)


def schema_for(kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = pydantic.TypeAdapter(getattr(v1, kind)).json_schema(by_alias=True)
    close_objects(schema)
    # The models default apiVersion and kind; a manifest must spell them out.
    schema["required"] = ["apiVersion", "kind", "metadata", "spec"]
    schema["title"] = f"velero.io/v1 {kind}"
    return schema


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        text = json.dumps(schema_for(kind), indent=1)
        (out / f"velero.io_v1_{kind}.json").write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(KINDS)} schemas to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
