"""A versioned model registry (versions 1, 2, 3, ... per model name) persisted as JSON under a root."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from multi_cloud.core.errors import InvalidArgument, NotFound
from multi_cloud.onprem.records import JsonStore, check_name, parse_datetimes, to_record


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of a model: an immutable pointer to an artifact, with its metrics."""

    name: str
    version: int
    artifact_uri: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    source_job: str = ""
    created: datetime | None = None

    @property
    def ref(self) -> str:
        """``name/version``, the form ``export_onnx`` and ``deploy`` accept."""
        return f"{self.name}/{self.version}"


class ModelRegistry:
    """``root/<model name>/<version>.json``; versions are never rewritten, so numbering is monotonic."""

    def __init__(self, root: Path, provider: str) -> None:
        self.root = root
        self.provider = provider
        root.mkdir(parents=True, exist_ok=True)

    def _store(self, name: str) -> JsonStore:
        return JsonStore(self.root / check_name("model", name))

    def register(
        self,
        name: str,
        artifact_uri: str,
        *,
        metrics: Mapping[str, float] | None = None,
        description: str = "",
        source_job: str = "",
    ) -> ModelVersion:
        store = self._store(name)
        clean_metrics = {str(k): float(v) for k, v in (metrics or {}).items()}
        while True:  # exclusive create: two writers never get the same number
            version = max((int(n) for n in store.names()), default=0) + 1
            created = ModelVersion(
                name=name,
                version=version,
                artifact_uri=artifact_uri,
                metrics=clean_metrics,
                description=description,
                source_job=source_job,
                created=datetime.now(timezone.utc),
            )
            if store.create(str(version), to_record(created)):
                return created

    def names(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and any(p.glob("*.json")))

    def versions(self, name: str) -> list[ModelVersion]:
        store = self._store(name)
        found = sorted((_from_record(r) for r in store.all()), key=lambda v: v.version)
        if not found:
            known = ", ".join(self.names()) or "none yet"
            raise NotFound(
                f"no model named {name!r} is registered (registered models: {known}); "
                "register one with register_model(name, artifact_uri)",
                provider=self.provider,
                operation="models.list_model_versions",
            )
        return found

    def get(self, name: str, version: int | str) -> ModelVersion:
        existing = self.versions(name)
        try:
            wanted = int(version)
        except (TypeError, ValueError):
            raise InvalidArgument(
                f"model version {version!r} is not a number; versions are 1, 2, 3, ..."
            ) from None
        for candidate in existing:
            if candidate.version == wanted:
                return candidate
        raise NotFound(
            f"model {name!r} has no version {wanted}; existing versions: "
            f"{', '.join(str(v.version) for v in existing)}",
            provider=self.provider,
            operation="models.get_model_version",
        )

    def resolve(self, ref: str) -> ModelVersion:
        """``"name/version"`` (or ``"name/latest"``) to its :class:`ModelVersion`."""
        name, _, version = ref.rpartition("/")
        if not name:
            raise InvalidArgument(f"{ref!r} is not a model reference; use 'name/version', e.g. 'iris/2'")
        if version == "latest":
            return self.versions(name)[-1]
        return self.get(name, version)


def _from_record(record: dict[str, object]) -> ModelVersion:
    return ModelVersion(**parse_datetimes(record, ["created"]))
