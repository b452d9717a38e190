"""Frozen result types shared by every provider; no provider SDK type crosses this boundary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from multi_cloud.core.states import EndpointState as EndpointState  # re-exported: part of the types
from multi_cloud.core.states import EndpointStatus as EndpointStatus
from multi_cloud.core.states import JobState as JobState
from multi_cloud.core.states import JobStatus as JobStatus
from multi_cloud.core.states import endpoint_state, job_state

SentimentLabel = Literal["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]


# ----------------------------------------------------------------------------- storage
@dataclass(frozen=True)
class Bucket:
    name: str
    created: datetime | None = None
    region: str = ""


@dataclass(frozen=True)
class ObjectInfo:
    bucket: str
    key: str
    size: int
    etag: str
    last_modified: datetime | None = None
    content_type: str = "application/octet-stream"
    metadata: Mapping[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------- models
@dataclass(frozen=True)
class TrainingSpec:
    """What to train: a script under the SageMaker-style script-mode contract."""

    name: str
    entry_point: str
    source_dir: str | None = None
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, str] = field(default_factory=dict)  # channel -> URI or local path
    output_uri: str = ""  # where model.tar.gz goes (bucket URI); provider default when empty
    instance_type: str = "local"
    framework: str = "sklearn"
    timeout_seconds: int = 3600


@dataclass(frozen=True)
class TrainingJob:
    """A training job: ``state`` is neutral, ``status`` the provider's own word (also ``native_status``)."""

    name: str
    status: str
    provider: str
    model_artifact: str = ""
    metrics: Mapping[str, float] = field(default_factory=dict)
    started: datetime | None = None
    ended: datetime | None = None
    failure_reason: str = ""
    hyperparameters: Mapping[str, str] = field(default_factory=dict)
    state: JobState = JobState.UNKNOWN

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", job_state(self.state, self.status))

    @property
    def native_status(self) -> str:
        return self.status

    @property
    def duration_seconds(self) -> float | None:
        if self.started and self.ended:
            return (self.ended - self.started).total_seconds()
        return None


@dataclass(frozen=True)
class Endpoint:
    """A serving endpoint: ``state`` is neutral, ``status`` the provider's own word (``native_status``)."""

    name: str
    status: str
    provider: str
    model_name: str = ""
    model_artifact: str = ""
    instance_type: str = ""
    url: str = ""
    state: EndpointState = EndpointState.UNKNOWN

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", endpoint_state(self.state, self.status))

    @property
    def native_status(self) -> str:
        return self.status


@dataclass(frozen=True)
class Prediction:
    values: tuple[Any, ...]
    model: str
    provider: str
    probabilities: tuple[tuple[float, ...], ...] = ()
    latency_ms: float = 0.0


@dataclass(frozen=True)
class BatchPredictionJob:
    """A batch prediction job: ``state`` is neutral, ``status`` the provider's word (``native_status``)."""

    name: str
    status: str
    provider: str
    input_uri: str
    output_uri: str
    records: int = 0
    failure_reason: str = ""
    state: JobState = JobState.UNKNOWN

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", job_state(self.state, self.status))

    @property
    def native_status(self) -> str:
        return self.status


# ----------------------------------------------------------------------------- vision
@dataclass(frozen=True)
class BoundingBox:
    """Box in fractions of the image size (0..1), like Rekognition and Vision return."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class Label:
    name: str
    confidence: float  # 0..100
    box: BoundingBox | None = None


@dataclass(frozen=True)
class Face:
    box: BoundingBox
    confidence: float  # 0..100
    landmarks: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class TextDetection:
    text: str
    confidence: float  # 0..100
    box: BoundingBox | None = None
    kind: Literal["LINE", "WORD"] = "LINE"


@dataclass(frozen=True)
class Color:
    red: int
    green: int
    blue: int
    pixel_fraction: float

    @property
    def hex(self) -> str:
        return f"#{self.red:02x}{self.green:02x}{self.blue:02x}"


@dataclass(frozen=True)
class ImageProperties:
    width: int
    height: int
    dominant_colors: tuple[Color, ...]
    brightness: float = 0.0  # 0..100
    sharpness: float = 0.0  # 0..100


# ----------------------------------------------------------------------------- language
@dataclass(frozen=True)
class Sentiment:
    label: SentimentLabel
    scores: Mapping[str, float]  # POSITIVE / NEGATIVE / NEUTRAL / MIXED, each 0..1


@dataclass(frozen=True)
class DetectedLanguage:
    code: str  # ISO 639-1, e.g. "en"
    confidence: float  # 0..1


@dataclass(frozen=True)
class KeyPhrase:
    text: str
    score: float  # 0..1, higher is more relevant
    begin: int
    end: int


@dataclass(frozen=True)
class Entity:
    text: str
    type: str
    score: float
    begin: int
    end: int


@dataclass(frozen=True)
class PiiEntity:
    type: str  # EMAIL, PHONE, CREDIT_DEBIT_NUMBER, IP_ADDRESS, ...
    text: str
    score: float
    begin: int
    end: int


# ----------------------------------------------------------------------------- speech / translation
@dataclass(frozen=True)
class SpeechAudio:
    audio: bytes
    content_type: str  # "audio/wav", "audio/mpeg", ...
    sample_rate: int
    voice: str

    @property
    def duration_seconds(self) -> float:
        """Duration for 16-bit mono PCM WAV audio (the offline engines' format)."""
        if self.content_type != "audio/wav" or self.sample_rate <= 0:
            return 0.0
        return max(len(self.audio) - 44, 0) / (2 * self.sample_rate)


@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float  # 0..1
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Translation:
    text: str
    source_language: str
    target_language: str
    engine: str = ""


# ----------------------------------------------------------------------------- functions / events
@dataclass(frozen=True)
class FunctionInfo:
    name: str
    runtime: str
    handler: str
    timeout_seconds: int
    memory_mb: int
    provider: str
    version: str = "1"


@dataclass(frozen=True)
class InvocationResult:
    function: str
    status_code: int
    payload: Any
    error_type: str = ""
    error_message: str = ""
    traceback: str = ""
    logs: str = ""
    duration_ms: float = 0.0
    cold_start: bool = False

    @property
    def ok(self) -> bool:
        return not self.error_type


@dataclass(frozen=True)
class Event:
    source: str
    detail_type: str
    detail: Mapping[str, Any]
    id: str = ""
    time: datetime | None = None


#: where an event rule sends what it matches: a deployed function's name, or a callable in this process
EventTarget = str | Callable[[Event], Any]


@dataclass(frozen=True)
class SubscribedRule:
    """An event rule a provider maps onto one subscription of its own event service (Pub/Sub, Event Grid)."""

    bus: str
    name: str
    pattern: Mapping[str, Any]
    target: EventTarget
    subscription: str


@dataclass(frozen=True)
class PublishResult:
    event_id: str
    matched_rules: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- costs
@dataclass(frozen=True)
class CostRecord:
    """One cost line, named after the FinOps FOCUS columns (``to_focus`` gives the column names)."""

    provider_name: str
    service_name: str
    service_category: str
    resource_id: str
    region_id: str
    charge_period_start: datetime
    charge_period_end: datetime
    pricing_quantity: float
    pricing_unit: str
    list_unit_price: float
    billed_cost: float
    effective_cost: float
    billing_currency: str = "USD"
    charge_category: str = "Usage"
    sku_id: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def list_cost(self) -> float:
        return self.list_unit_price * self.pricing_quantity

    def to_focus(self) -> dict[str, Any]:
        """The record as FOCUS 1.x columns."""
        return {
            "ProviderName": self.provider_name,
            "ServiceName": self.service_name,
            "ServiceCategory": self.service_category,
            "ResourceId": self.resource_id,
            "RegionId": self.region_id,
            "ChargePeriodStart": self.charge_period_start.isoformat(),
            "ChargePeriodEnd": self.charge_period_end.isoformat(),
            "PricingQuantity": self.pricing_quantity,
            "PricingUnit": self.pricing_unit,
            "ListUnitPrice": self.list_unit_price,
            "ListCost": self.list_cost,
            "BilledCost": self.billed_cost,
            "EffectiveCost": self.effective_cost,
            "BillingCurrency": self.billing_currency,
            "ChargeCategory": self.charge_category,
            "SkuId": self.sku_id,
            "Tags": dict(self.tags),
        }


@dataclass(frozen=True)
class Usage:
    """A quantity of a priced resource, for cost estimates."""

    service: str  # e.g. "training", "endpoint", "storage", "functions"
    resource_type: str  # e.g. "ml.m5.large", "GB-month", "GB-second"
    quantity: float
    unit: str  # "Hours", "GB-Month", "Requests", ...
    region: str = ""


@dataclass(frozen=True)
class Health:
    provider: str
    ok: bool
    detail: str
    checks: Mapping[str, bool] = field(default_factory=dict)
