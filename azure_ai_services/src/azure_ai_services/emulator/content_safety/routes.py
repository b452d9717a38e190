"""Content Safety's REST routes (``/contentsafety/...``): blocklists, ``text:analyze``, ``image:analyze``.

Blocklist matching is exact and computed. The harm categories (Hate, SelfHarm, Sexual, Violence) need
Microsoft's classifiers: no offline model of them is installed, so an analysis that needs them answers 501
``NotImplemented`` instead of inventing severities; a blocklist hit with ``haltOnBlocklistHit`` needs none
(the service then skips the categories, as documented).
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from multi_cloud.emulation.protocols.azure.errors import AzureError, json_response
from multi_cloud.emulation.protocols.azure.routing import AzureRoutes, json_body

from azure_ai_services.emulator.content_safety.blocklists import Blocklists, invalid_body
from azure_ai_services.emulator.service_errors import not_computed

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request, Response

API_VERSIONS = ("2023-10-01", "2024-09-01")
PREFIX = "/contentsafety"
LISTS = PREFIX + "/text/blocklists"
TEXT_CATEGORIES = ("Hate", "SelfHarm", "Sexual", "Violence")
OUTPUT_TYPES = ("FourSeverityLevels", "EightSeverityLevels")
MAX_TEXT_CHARS = 10_000
MAX_BLOCKLISTS_PER_REQUEST = 10
MAX_IMAGE_BYTES = 4 * 1024 * 1024
NO_CLASSIFIER = (
    "no offline model of Microsoft's harm classifiers is installed, so severities are not invented; "
    "blocklist matching is computed (send blocklistNames with haltOnBlocklistHit=true to get an answer "
    "without categories when a blocklist hits), and this request answers in Azure"
)


class ContentSafety:
    """The routes over one :class:`Blocklists` store."""

    def __init__(self, blocklists: Blocklists) -> None:
        self.blocklists = blocklists

    def routes(self) -> AzureRoutes:
        return AzureRoutes(
            {
                ("POST", PREFIX + "/text:analyze"): self.analyze_text,
                ("POST", PREFIX + "/image:analyze"): self.analyze_image,
                ("GET", LISTS): self.list_blocklists,
                ("PATCH", LISTS + "/{blocklistName}"): self.create_or_update,
                ("GET", LISTS + "/{blocklistName}"): self.get_blocklist,
                ("DELETE", LISTS + "/{blocklistName}"): self.delete_blocklist,
                ("POST", LISTS + "/{blocklistName}:addOrUpdateBlocklistItems"): self.add_items,
                ("POST", LISTS + "/{blocklistName}:removeBlocklistItems"): self.remove_items,
                ("GET", LISTS + "/{blocklistName}/blocklistItems"): self.list_items,
                ("GET", LISTS + "/{blocklistName}/blocklistItems/{blocklistItemId}"): self.get_item,
            },
            api_versions=API_VERSIONS,
        )

    # ------------------------------------------------------------------ blocklists
    def list_blocklists(self, request: Request) -> dict[str, Any]:
        return {"value": [blocklist.describe() for blocklist in self.blocklists.all()]}

    def create_or_update(self, request: Request, blocklistName: str) -> Response:  # noqa: N803 - spec name
        body = json_body(request)
        blocklist, created = self.blocklists.create_or_update(blocklistName, body.get("description"))
        answer: Response = json_response(blocklist.describe(), 201 if created else 200)
        return answer

    def get_blocklist(self, request: Request, blocklistName: str) -> dict[str, str]:  # noqa: N803
        return self.blocklists.get(blocklistName).describe()

    def delete_blocklist(self, request: Request, blocklistName: str) -> None:  # noqa: N803
        self.blocklists.delete(blocklistName)

    def add_items(self, request: Request, blocklistName: str) -> dict[str, Any]:  # noqa: N803
        items = self.blocklists.add_items(blocklistName, json_body(request).get("blocklistItems"))
        return {"blocklistItems": items}

    def remove_items(self, request: Request, blocklistName: str) -> None:  # noqa: N803
        self.blocklists.remove_items(blocklistName, json_body(request).get("blocklistItemIds"))

    def list_items(self, request: Request, blocklistName: str) -> dict[str, Any]:  # noqa: N803
        items = sorted(self.blocklists.get(blocklistName).items.values(), key=lambda item: item["text"])
        skip = _int_arg(request, "skip", 0)
        top = _int_arg(request, "top", len(items))
        return {"value": [dict(item) for item in items[skip : skip + top]]}

    def get_item(self, request: Request, blocklistName: str, blocklistItemId: str) -> dict[str, str]:  # noqa: N803
        return self.blocklists.item(blocklistName, blocklistItemId)

    # ------------------------------------------------------------------ analysis
    def analyze_text(self, request: Request) -> dict[str, Any]:
        body = json_body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise invalid_body("text is required: a non-empty string.")
        if len(text) > MAX_TEXT_CHARS:
            raise invalid_body(
                f"text is longer than {MAX_TEXT_CHARS} characters: split it into several requests."
            )
        categories = body.get("categories") or list(TEXT_CATEGORIES)
        unknown = [c for c in categories if c not in TEXT_CATEGORIES]
        if not isinstance(categories, list) or unknown:
            raise invalid_body(f"Unknown categories {unknown}: use {', '.join(TEXT_CATEGORIES)}.")
        if body.get("outputType", "FourSeverityLevels") not in OUTPUT_TYPES:
            raise invalid_body(f"outputType must be one of {', '.join(OUTPUT_TYPES)}.")
        names = body.get("blocklistNames") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise invalid_body("blocklistNames must be an array of blocklist names.")
        if len(names) > MAX_BLOCKLISTS_PER_REQUEST:
            raise invalid_body(f"At most {MAX_BLOCKLISTS_PER_REQUEST} blocklists can be used per request.")
        matches = self.blocklists.matches(names, text)
        if matches and body.get("haltOnBlocklistHit") is True:
            return {"blocklistsMatch": matches, "categoriesAnalysis": []}
        raise not_computed(f"text categories {categories}", NO_CLASSIFIER)

    def analyze_image(self, request: Request) -> dict[str, Any]:
        from azure_ai_services.emulator.images import decoded

        body = json_body(request)
        image = body.get("image")
        if not isinstance(image, dict) or bool(image.get("content")) == bool(image.get("blobUrl")):
            raise invalid_body("image needs exactly one of 'content' (base64) or 'blobUrl'.")
        if image.get("blobUrl"):
            raise invalid_body(
                "the local emulator does not read images from blob URLs (it works offline): send the "
                "bytes as image.content."
            )
        try:
            data = base64.b64decode(str(image["content"]), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise invalid_body(f"image.content is not valid base64: {exc}") from exc
        if len(data) > MAX_IMAGE_BYTES:
            raise AzureError(400, "InvalidRequestBody", "The image is larger than 4 MB.")
        try:
            decoded(data, max_side=2048)
        except AzureError as exc:
            raise invalid_body(exc.message) from exc
        raise not_computed("image categories (Hate, SelfHarm, Sexual, Violence)", NO_CLASSIFIER)


def _int_arg(request: Request, name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise invalid_body(f"{name} must be a non-negative integer.")
    return int(value)
