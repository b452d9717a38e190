"""Natural Language's ``Document`` message: its text, type and language, and offsets by ``encodingType``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gcp_ai_services.emulator.wire import enum_field, invalid, member, numbered, text_field, unimplemented

#: Natural Language's limit on a document's content
MAX_DOCUMENT_BYTES = 1_000_000
DOCUMENT_TYPES = numbered("TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML")
ENCODING_TYPES = numbered("NONE", "UTF8", "UTF16", "UTF32")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


@dataclass(frozen=True)
class Document:
    content: str
    language: str  # as given ("" when the API is to detect it)
    encoding: str

    def offset(self, index: int) -> int:
        """The character index ``index`` as the request's ``encodingType`` counts (-1 for NONE)."""
        if self.encoding == "UTF8":
            return len(self.content[:index].encode("utf-8"))
        if self.encoding == "UTF16":
            return len(self.content[:index].encode("utf-16-le")) // 2
        if self.encoding == "UTF32":
            return index
        return -1

    def sentences(self) -> list[tuple[str, int]]:
        """Each sentence's text and character index (split at ., ! and ? and line ends)."""
        found = []
        for match in _SENTENCE.finditer(self.content):
            text = match.group().strip()
            if text:
                found.append((text, match.start() + match.group().index(text)))
        return found


def read_document(body: dict[str, Any]) -> Document:
    """The request's document; INVALID_ARGUMENT for the malformed ones Natural Language refuses."""
    document = member(body, "document")
    kind = enum_field(document, "type", DOCUMENT_TYPES, "PLAIN_TEXT", "document.type")
    uri = text_field(document, "gcsContentUri", "document.gcs_content_uri")
    content = _read_text(uri) if uri else text_field(document, "content", "document.content")
    if not content.strip():
        raise invalid("The document is empty: document.content must hold the text to analyse.")
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise invalid(f"document.content is not valid UTF-8 (a lone surrogate at {exc.start}).") from exc
    if size > MAX_DOCUMENT_BYTES:
        raise invalid(f"The document is {size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,} bytes.")
    if kind == "HTML":
        raise unimplemented("HTML documents", "no offline HTML text extractor is wired in; send PLAIN_TEXT")
    language = text_field(document, "language", "document.language") or text_field(
        document, "languageCode", "document.language_code"
    )
    encoding = enum_field(body, "encodingType", ENCODING_TYPES, "NONE", "encoding_type")
    return Document(content=content, language=language, encoding=encoding)


def _read_text(uri: str) -> str:
    """A document stored in the local Cloud Storage, as UTF-8 text."""
    from gcp_ai_services.emulator.gcs_objects import read_object

    data = read_object(uri, MAX_DOCUMENT_BYTES + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(f"{uri} is not UTF-8 text (byte {exc.start}).") from exc
