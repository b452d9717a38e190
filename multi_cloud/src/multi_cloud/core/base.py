"""The capability contract every provider implements: one small abstract class per capability."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from multi_cloud.core.errors import NotFound, Unsupported
from multi_cloud.core.types import (
    BatchPredictionJob,
    Bucket,
    CostRecord,
    DetectedLanguage,
    Endpoint,
    Entity,
    Event,
    Face,
    FunctionInfo,
    Health,
    ImageProperties,
    InvocationResult,
    KeyPhrase,
    Label,
    ObjectInfo,
    PiiEntity,
    Prediction,
    PublishResult,
    Sentiment,
    SpeechAudio,
    TextDetection,
    TrainingJob,
    TrainingSpec,
    Transcript,
    Translation,
    Usage,
)

CAPABILITIES = (
    "storage",
    "models",
    "vision",
    "language",
    "speech",
    "translation",
    "functions",
    "events",
    "costs",
)


class Capability(abc.ABC):
    """A service a provider offers. ``unsupported`` maps "capability.operation" to the reason."""

    capability: ClassVar[str] = ""
    unsupported: ClassVar[Mapping[str, str]] = {}

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def supports(self, operation: str) -> bool:
        return f"{self.capability}.{operation}" not in self.unsupported

    def _unsupported(self, operation: str) -> Unsupported:
        key = f"{self.capability}.{operation}"
        reason = self.unsupported.get(key, "not implemented by this provider")
        return Unsupported(reason, provider=self.provider, operation=key)


class ObjectStorage(Capability):
    """Buckets of keyed objects (S3, Cloud Storage, Blob Storage, a local filesystem)."""

    capability = "storage"

    @abc.abstractmethod
    def create_bucket(self, bucket: str) -> Bucket: ...

    @abc.abstractmethod
    def delete_bucket(self, bucket: str, *, force: bool = False) -> None:
        """Delete ``bucket``; with ``force`` delete its objects first."""

    @abc.abstractmethod
    def list_buckets(self) -> list[Bucket]: ...

    @abc.abstractmethod
    def put_object(
        self,
        bucket: str,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo: ...

    @abc.abstractmethod
    def get_object(self, bucket: str, key: str) -> bytes: ...

    @abc.abstractmethod
    def head_object(self, bucket: str, key: str) -> ObjectInfo: ...

    @abc.abstractmethod
    def list_objects(self, bucket: str, prefix: str = "", *, page_size: int = 1000) -> Iterator[ObjectInfo]:
        """Every object under ``prefix`` in key order, fetched ``page_size`` at a time."""

    @abc.abstractmethod
    def delete_object(self, bucket: str, key: str) -> None: ...

    @abc.abstractmethod
    def uri(self, bucket: str, key: str = "") -> str:
        """The provider-native URI of an object or prefix (``s3://``, ``gs://``, ...), as training accepts."""

    def exists(self, bucket: str, key: str) -> bool:
        try:
            self.head_object(bucket, key)
        except NotFound:
            return False
        return True


class ModelService(Capability):
    """Train, deploy, predict, batch predict and delete models."""

    capability = "models"

    @abc.abstractmethod
    def train(self, spec: TrainingSpec) -> TrainingJob:
        """Run training to completion and return the finished (Completed or Failed) job."""

    @abc.abstractmethod
    def get_training_job(self, name: str) -> TrainingJob: ...

    @abc.abstractmethod
    def deploy(self, job_or_artifact: TrainingJob | str, endpoint_name: str) -> Endpoint:
        """Serve a trained model (a finished job or a model artifact URI) at ``endpoint_name``."""

    @abc.abstractmethod
    def predict(self, endpoint_name: str, instances: Sequence[Sequence[float]]) -> Prediction: ...

    @abc.abstractmethod
    def batch_predict(
        self, model_artifact: str, input_uri: str, output_uri: str, *, job_name: str = ""
    ) -> BatchPredictionJob:
        """Predict every CSV row of ``input_uri`` and write one prediction per line to ``output_uri``."""

    @abc.abstractmethod
    def delete_endpoint(self, endpoint_name: str) -> None: ...

    @abc.abstractmethod
    def list_endpoints(self) -> list[Endpoint]: ...


class VisionService(Capability):
    """Image analysis: labels, faces, text, colours. Images are encoded bytes (JPEG, PNG, ...)."""

    capability = "vision"

    @abc.abstractmethod
    def detect_labels(self, image: bytes, *, max_labels: int = 10) -> list[Label]: ...

    @abc.abstractmethod
    def detect_faces(self, image: bytes) -> list[Face]: ...

    @abc.abstractmethod
    def detect_text(self, image: bytes) -> list[TextDetection]: ...

    @abc.abstractmethod
    def image_properties(self, image: bytes) -> ImageProperties: ...


class LanguageService(Capability):
    """Text analytics."""

    capability = "language"

    @abc.abstractmethod
    def sentiment(self, text: str, *, language: str = "en") -> Sentiment: ...

    @abc.abstractmethod
    def detect_language(self, text: str) -> list[DetectedLanguage]:
        """Candidate languages, most likely first."""

    @abc.abstractmethod
    def key_phrases(self, text: str, *, language: str = "en") -> list[KeyPhrase]: ...

    @abc.abstractmethod
    def entities(self, text: str, *, language: str = "en") -> list[Entity]: ...

    @abc.abstractmethod
    def pii(self, text: str, *, language: str = "en") -> list[PiiEntity]: ...


class SpeechService(Capability):
    """Text to speech and speech to text."""

    capability = "speech"

    @abc.abstractmethod
    def synthesize(self, text: str, *, voice: str = "", language: str = "en-US") -> SpeechAudio: ...

    @abc.abstractmethod
    def voices(self, *, language: str = "") -> list[str]: ...

    @abc.abstractmethod
    def transcribe(self, audio: bytes, *, language: str = "en-US", phrases: Sequence[str] = ()) -> Transcript:
        """Recognise speech in WAV ``audio``; ``phrases`` constrains recognition to those phrases."""


class TranslationService(Capability):
    capability = "translation"

    @abc.abstractmethod
    def translate(self, text: str, *, target: str, source: str = "") -> Translation: ...

    @abc.abstractmethod
    def language_pairs(self) -> list[tuple[str, str]]: ...


class FunctionService(Capability):
    """Serverless functions: deploy Python handlers and invoke them."""

    capability = "functions"

    @abc.abstractmethod
    def deploy(
        self,
        name: str,
        source_dir: str,
        handler: str,
        *,
        timeout_seconds: int = 30,
        memory_mb: int = 256,
        environment: Mapping[str, str] | None = None,
    ) -> FunctionInfo:
        """Deploy ``handler`` ("module.function") from the code in ``source_dir``."""

    @abc.abstractmethod
    def invoke(self, name: str, event: Any) -> InvocationResult: ...

    @abc.abstractmethod
    def delete(self, name: str) -> None: ...

    @abc.abstractmethod
    def list_functions(self) -> list[FunctionInfo]: ...


class EventService(Capability):
    """Publish events to a bus; rules with EventBridge-style patterns route them to targets."""

    capability = "events"

    @abc.abstractmethod
    def put_rule(
        self, bus: str, rule: str, pattern: Mapping[str, Any], target: str | Callable[[Event], Any]
    ) -> None:
        """Route events on ``bus`` matching ``pattern`` to ``target`` (a function name or callable)."""

    @abc.abstractmethod
    def publish(self, bus: str, event: Event) -> PublishResult: ...

    @abc.abstractmethod
    def delete_rule(self, bus: str, rule: str) -> None: ...


class CostService(Capability):
    """Prices and spend as FOCUS-shaped cost records."""

    capability = "costs"

    @abc.abstractmethod
    def estimate(self, usage: Iterable[Usage]) -> list[CostRecord]:
        """Price the given usage from the provider's catalog (no money is spent)."""


class CloudProvider(abc.ABC):
    """A cloud (or on-premises site): a name, its capability services, and a health check."""

    name: ClassVar[str] = ""

    @property
    def unsupported(self) -> dict[str, str]:
        """Every operation this provider declares unsupported, with the reason."""
        found: dict[str, str] = {}
        for capability in CAPABILITIES:
            service = self.service(capability, required=False)
            if service is None:
                found[capability] = f"{self.name} offers no {capability} capability"
            else:
                found.update(service.unsupported)
        return found

    def service(self, capability: str, *, required: bool = True) -> Any:
        """The service object for ``capability`` (e.g. ``"vision"``)."""
        if capability not in CAPABILITIES:
            raise ValueError(f"unknown capability {capability!r}; known: {', '.join(CAPABILITIES)}")
        factory = getattr(self, f"_make_{capability}", None)
        if factory is None:
            if required:
                raise Unsupported(f"{self.name} offers no {capability} capability", provider=self.name)
            return None
        cache = self.__dict__.setdefault("_services", {})
        if capability not in cache:
            cache[capability] = factory()
        return cache[capability]

    @property
    def storage(self) -> ObjectStorage:
        return self.service("storage")  # type: ignore[no-any-return]

    @property
    def models(self) -> ModelService:
        return self.service("models")  # type: ignore[no-any-return]

    @property
    def vision(self) -> VisionService:
        return self.service("vision")  # type: ignore[no-any-return]

    @property
    def language(self) -> LanguageService:
        return self.service("language")  # type: ignore[no-any-return]

    @property
    def speech(self) -> SpeechService:
        return self.service("speech")  # type: ignore[no-any-return]

    @property
    def translation(self) -> TranslationService:
        return self.service("translation")  # type: ignore[no-any-return]

    @property
    def functions(self) -> FunctionService:
        return self.service("functions")  # type: ignore[no-any-return]

    @property
    def events(self) -> EventService:
        return self.service("events")  # type: ignore[no-any-return]

    @property
    def costs(self) -> CostService:
        return self.service("costs")  # type: ignore[no-any-return]

    @abc.abstractmethod
    def health(self) -> Health:
        """Whether the provider's backends answer, with a check per service."""
