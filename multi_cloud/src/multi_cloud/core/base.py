"""The provider contract, and what an implementer provides (in one screen).

A provider is a :class:`CloudProvider` subclass, registered by dotted path in ``core.registry``. It gives:

1. ``name``: its registry name ("aws", "gcp", "azure", "onprem").
2. ``__init__(settings: Settings | None = None, ...)``: cheap; no network call, no SDK client yet.
3. ``capabilities()``: a :class:`Capabilities` with, for each capability it offers, a zero-argument
   factory returning that capability's service. Services subclass the abstract classes of
   ``core.capabilities``: ObjectStorage, ModelService, VisionService, LanguageService, SpeechService,
   TranslationService, FunctionService, EventService, CostService. Factories import their SDK inside,
   so that ``import multi_cloud`` imports none; each runs once, on first use. A capability left out
   is not offered: ``service(name)`` raises Unsupported and ``unsupported`` says so.
4. ``health()``: whether its backends answer, with one check per service.

``close()`` (provider or service) releases worker processes and threads; a service holding none needs
nothing for it.

Each service implements every abstract method of its class, and:

- declares what it cannot do, with the reason, in ``unsupported = {"capability.operation": "why"}``
  (every key names a method of the class; a test checks this), raising ``self._unsupported(operation)``;
- returns only ``core.types`` values, never an SDK type. Jobs and endpoints carry the neutral ``state``
  (:class:`~multi_cloud.core.types.JobState`, :class:`~multi_cloud.core.types.EndpointState`) and the
  provider's own word in ``native_status``, mapped in one place per provider;
- raises only ``core.errors`` classes, with ``code`` set to the provider's error code, translated by one
  error table per provider used through ``mapped_errors``.

Callers get typed services: ``provider.vision`` and ``provider.service("vision")`` are VisionServices.
A provider proves it keeps the contract by opting into ``multi_cloud.testing.conformance``. In short::

    class GCPProvider(CloudProvider):
        name = "gcp"

        def capabilities(self) -> Capabilities:
            return Capabilities(storage=self._storage)  # vision=..., models=..., as they come

        def _storage(self) -> GCSStorage:
            from gcp_ai_services.storage.gcs import GCSStorage  # the SDK is imported here

            return GCSStorage(self.name, self.settings)
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal, overload

from multi_cloud.core.capabilities import (
    CAPABILITIES,
    CAPABILITY_CLASSES,
    Capability,
    CapabilityName,
    CostService,
    EventService,
    FunctionService,
    LanguageService,
    ModelService,
    ObjectStorage,
    SpeechService,
    TranslationService,
    VisionService,
)
from multi_cloud.core.errors import Unsupported
from multi_cloud.core.types import Health

__all__ = [
    "CAPABILITIES",
    "Capabilities",
    "Capability",
    "CapabilityName",
    "CloudProvider",
    "CostService",
    "EventService",
    "FunctionService",
    "LanguageService",
    "ModelService",
    "ObjectStorage",
    "SpeechService",
    "TranslationService",
    "VisionService",
]


@dataclass(frozen=True)
class Capabilities:
    """For each capability a provider offers, the zero-argument factory that builds its service."""

    storage: Callable[[], ObjectStorage] | None = None
    models: Callable[[], ModelService] | None = None
    vision: Callable[[], VisionService] | None = None
    language: Callable[[], LanguageService] | None = None
    speech: Callable[[], SpeechService] | None = None
    translation: Callable[[], TranslationService] | None = None
    functions: Callable[[], FunctionService] | None = None
    events: Callable[[], EventService] | None = None
    costs: Callable[[], CostService] | None = None

    def factories(self) -> dict[CapabilityName, Callable[[], Capability]]:
        """The offered capabilities with their factories, in ``CAPABILITIES`` order."""
        every: dict[CapabilityName, Callable[[], Capability] | None] = {
            "storage": self.storage,
            "models": self.models,
            "vision": self.vision,
            "language": self.language,
            "speech": self.speech,
            "translation": self.translation,
            "functions": self.functions,
            "events": self.events,
            "costs": self.costs,
        }
        return {name: factory for name, factory in every.items() if factory is not None}


class CloudProvider(abc.ABC):
    """A cloud (or on-premises site): a name, its capability services, and a health check."""

    name: ClassVar[str] = ""
    #: why a capability is not offered (yet), for ``unsupported`` and the Unsupported error; optional
    not_offered: ClassVar[dict[str, str]] = {}

    @abc.abstractmethod
    def capabilities(self) -> Capabilities:
        """The factories of the capabilities this provider offers; called once per provider object."""

    @abc.abstractmethod
    def health(self) -> Health:
        """Whether the provider's backends answer, with a check per service."""

    def offers(self, capability: str) -> bool:
        """Whether this provider has ``capability`` (without building its service)."""
        return _checked(capability) in self._factories()

    @property
    def unsupported(self) -> dict[str, str]:
        """Every operation this provider declares unsupported, with the reason."""
        found: dict[str, str] = {}
        for capability in CAPABILITIES:
            if self.offers(capability):
                found.update(self.service(capability).unsupported)
            else:
                found[capability] = self._not_offered_reason(capability)
        return found

    @overload
    def service(self, capability: Literal["storage"]) -> ObjectStorage: ...
    @overload
    def service(self, capability: Literal["models"]) -> ModelService: ...
    @overload
    def service(self, capability: Literal["vision"]) -> VisionService: ...
    @overload
    def service(self, capability: Literal["language"]) -> LanguageService: ...
    @overload
    def service(self, capability: Literal["speech"]) -> SpeechService: ...
    @overload
    def service(self, capability: Literal["translation"]) -> TranslationService: ...
    @overload
    def service(self, capability: Literal["functions"]) -> FunctionService: ...
    @overload
    def service(self, capability: Literal["events"]) -> EventService: ...
    @overload
    def service(self, capability: Literal["costs"]) -> CostService: ...
    @overload
    def service(self, capability: str) -> Capability: ...

    def service(self, capability: str) -> Capability:
        """The service object for ``capability`` (e.g. ``"vision"``), built on first use."""
        name = _checked(capability)
        services: dict[str, Capability] = self.__dict__.setdefault("_services", {})
        if name not in services:
            factory = self._factories().get(name)
            if factory is None:
                raise Unsupported(self._not_offered_reason(name), provider=self.name)
            built = factory()
            expected = CAPABILITY_CLASSES[name]
            if not isinstance(built, expected):
                raise TypeError(
                    f"{type(self).__name__}'s {name} factory built a {type(built).__name__}, "
                    f"not a {expected.__name__}"
                )
            services[name] = built
        return services[name]

    @property
    def storage(self) -> ObjectStorage:
        return self.service("storage")

    @property
    def models(self) -> ModelService:
        return self.service("models")

    @property
    def vision(self) -> VisionService:
        return self.service("vision")

    @property
    def language(self) -> LanguageService:
        return self.service("language")

    @property
    def speech(self) -> SpeechService:
        return self.service("speech")

    @property
    def translation(self) -> TranslationService:
        return self.service("translation")

    @property
    def functions(self) -> FunctionService:
        return self.service("functions")

    @property
    def events(self) -> EventService:
        return self.service("events")

    @property
    def costs(self) -> CostService:
        return self.service("costs")

    def close(self) -> None:
        """Close every service built so far (see :meth:`Capability.close`)."""
        services: dict[str, Capability] = self.__dict__.get("_services", {})
        for service in services.values():
            service.close()

    def _not_offered_reason(self, capability: str) -> str:
        reason = self.not_offered.get(capability, "")
        return f"{self.name} offers no {capability} capability" + (f": {reason}" if reason else "")

    def _factories(self) -> dict[CapabilityName, Callable[[], Capability]]:
        """``capabilities()`` asked once per provider object (subclasses need not call our __init__)."""
        if "_capability_factories" not in self.__dict__:
            self.__dict__["_capability_factories"] = self.capabilities().factories()
        factories: dict[CapabilityName, Callable[[], Capability]] = self.__dict__["_capability_factories"]
        return factories


def _checked(capability: str) -> CapabilityName:
    for known in CAPABILITIES:
        if capability == known:
            return known
    raise ValueError(f"unknown capability {capability!r}; known: {', '.join(CAPABILITIES)}")
