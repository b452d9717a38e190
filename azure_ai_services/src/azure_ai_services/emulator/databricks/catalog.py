"""What ``clusters/spark-versions`` and ``clusters/list-node-types`` list: Azure Databricks (2025-06).

Runtimes are Databricks' LTS releases; node types are Azure VM sizes with their cores and memory. A
cluster asks for one of each; anything else is 400 ``INVALID_PARAMETER_VALUE`` as Databricks answers.
"""

from __future__ import annotations

from typing import Any

CATALOG_DATE = "2025-06-01"

SPARK_VERSIONS: dict[str, str] = {
    "15.4.x-scala2.12": "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)",
    "15.4.x-cpu-ml-scala2.12": "15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)",
    "14.3.x-scala2.12": "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)",
    "14.3.x-cpu-ml-scala2.12": "14.3 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)",
    "13.3.x-scala2.12": "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)",
}

#: node_type_id -> (cores, memory MB, category)
NODE_TYPES: dict[str, tuple[float, int, str]] = {
    "Standard_DS3_v2": (4.0, 14336, "General Purpose"),
    "Standard_DS4_v2": (8.0, 28672, "General Purpose"),
    "Standard_DS5_v2": (16.0, 57344, "General Purpose"),
    "Standard_E8ds_v4": (8.0, 65536, "Memory Optimized"),
    "Standard_F4s": (4.0, 8192, "Compute Optimized"),
}


def spark_versions() -> dict[str, Any]:
    return {"versions": [{"key": key, "name": name} for key, name in SPARK_VERSIONS.items()]}


def node_types() -> dict[str, Any]:
    return {
        "node_types": [
            {
                "node_type_id": node_type,
                "instance_type_id": node_type,
                "memory_mb": memory,
                "num_cores": cores,
                "num_gpus": 0,
                "description": node_type,
                "category": category,
                "is_deprecated": False,
                "is_hidden": False,
                "support_port_forwarding": True,
                "supports_elastic_disk": True,
                "photon_driver_capable": True,
                "photon_worker_capable": True,
                "node_info": {"status": []},
            }
            for node_type, (cores, memory, category) in NODE_TYPES.items()
        ]
    }
