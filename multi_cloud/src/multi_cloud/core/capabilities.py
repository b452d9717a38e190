"""One small abstract class per capability (storage, models, vision, ...): what each service offers."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal

from multi_cloud.core.errors import InvalidArgument, NotFound, Unsupported
from multi_cloud.core.types import (
    BatchPredictionJob,
    Bucket,
    CostRecord,
    DetectedLanguage,
    Endpoint,
    Entity,
    Event,
    EventTarget,
    Face,
    FunctionInfo,
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

CapabilityName = Literal[
    "storage", "models", "vision", "language", "speech", "translation", "functions", "events", "costs"
]
CAPABILITIES: tuple[CapabilityName, ...] = (
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
    """A service a provider offers. ``unsupported`` maps "capability.operation" to the reason.

    ``unsupported`` is a class attribute; an instance may replace it when what it can do depends on
    settings (e.g. local mode). Every key names a method of the capability class (see :meth:`operations`).
    """

    capability: ClassVar[str] = ""
    unsupported: Mapping[str, str] = {}

    def __init__(self, provider: str) -> None:
        self.provider = provider

    @classmethod
    def operations(cls) -> frozenset[str]:
        """The operation names of this capability: the public methods of its contract class."""
        contract = next((base for base in cls.__mro__ if Capability in base.__bases__), Capability)
        return frozenset(name for name, value in vars(contract).items() if callable(value) and name[0] != "_")

    def close(self) -> None:
        """Release what the service holds (worker processes, threads); by default nothing."""

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
        """Recognise speech in WAV ``audio``; ``phrases`` constrains recognition to those phrases.

        Without ``phrases`` this is free dictation: implementations call :meth:`dictate`.
        """

    def dictate(self, audio: bytes, *, language: str = "en-US") -> Transcript:
        """Free dictation (any words). Optional: a provider that cannot declares ``speech.dictate``."""
        raise self._unsupported("dictate")


class TranslationService(Capability):
    """Machine translation between the provider's language pairs."""

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

    def _invalid(self, message: str) -> InvalidArgument:
        """A bad ``deploy`` argument, as this provider's InvalidArgument."""
        return InvalidArgument(message, provider=self.provider, operation="functions.deploy")

    def _handler_parts(self, handler: str) -> tuple[str, str]:
        """``(module, function)`` of a ``"module.function"`` handler; InvalidArgument for anything else."""
        module, _, function = handler.rpartition(".")
        if not module or not function.isidentifier():
            raise self._invalid(f"handler {handler!r} must be 'module.function', e.g. 'app.handler'")
        return module, function


class EventService(Capability):
    """Publish events to a bus; rules with EventBridge-style patterns route them to targets."""

    capability = "events"

    @abc.abstractmethod
    def put_rule(self, bus: str, rule: str, pattern: Mapping[str, Any], target: EventTarget) -> None:
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


#: the abstract class each capability's service implements
CAPABILITY_CLASSES: dict[CapabilityName, type[Capability]] = {
    "storage": ObjectStorage,
    "models": ModelService,
    "vision": VisionService,
    "language": LanguageService,
    "speech": SpeechService,
    "translation": TranslationService,
    "functions": FunctionService,
    "events": EventService,
    "costs": CostService,
}
