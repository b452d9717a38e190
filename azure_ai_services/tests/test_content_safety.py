"""Azure AI Content Safety through the plain clients: blocklists (exact matching) and Azure's errors."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def safety(endpoint: str, key_credential: Any) -> Any:
    from azure.ai.contentsafety import ContentSafetyClient

    return ContentSafetyClient(endpoint, key_credential)


@pytest.fixture
def blocklists(endpoint: str, key_credential: Any) -> Any:
    from azure.ai.contentsafety import BlocklistClient

    return BlocklistClient(endpoint, key_credential)


@pytest.fixture
def spam_list(blocklists: Any) -> dict[str, str]:
    """A blocklist 'spam' with two terms; returns term -> item id."""
    from azure.ai.contentsafety.models import (
        AddOrUpdateTextBlocklistItemsOptions,
        TextBlocklist,
        TextBlocklistItem,
    )

    blocklists.create_or_update_text_blocklist(
        blocklist_name="spam", options=TextBlocklist(blocklist_name="spam", description="spam words")
    )
    added = blocklists.add_or_update_blocklist_items(
        blocklist_name="spam",
        options=AddOrUpdateTextBlocklistItemsOptions(
            blocklist_items=[TextBlocklistItem(text="free crypto"), TextBlocklistItem(text="casino")]
        ),
    )
    return {item.text: item.blocklist_item_id for item in added.blocklist_items}


def analyze(safety: Any, text: str, **options: Any) -> Any:
    from azure.ai.contentsafety.models import AnalyzeTextOptions

    return safety.analyze_text(AnalyzeTextOptions(text=text, **options))


def test_blocklist_crud(blocklists: Any, spam_list: dict[str, str]) -> None:
    assert blocklists.get_text_blocklist("spam").description == "spam words"
    assert [b.blocklist_name for b in blocklists.list_text_blocklists()] == ["spam"]
    items = {item.text: item.blocklist_item_id for item in blocklists.list_text_blocklist_items("spam")}
    assert items == spam_list
    assert blocklists.get_text_blocklist_item("spam", spam_list["casino"]).text == "casino"


def test_a_hit_halts_the_analysis(safety: Any, spam_list: dict[str, str]) -> None:
    result = analyze(safety, "Get FREE Crypto now!", blocklist_names=["spam"], halt_on_blocklist_hit=True)
    (match,) = result.blocklists_match
    assert (match.blocklist_name, match.blocklist_item_text) == ("spam", "free crypto")
    assert match.blocklist_item_id == spam_list["free crypto"]
    assert result.categories_analysis == []


def test_terms_match_whole_words_only(safety: Any, spam_list: dict[str, str]) -> None:
    from azure.core.exceptions import HttpResponseError

    # "casinos" is not the term "casino": no hit, so the categories are needed and are not computed locally
    with pytest.raises(HttpResponseError) as raised:
        analyze(safety, "Casinos of Monaco", blocklist_names=["spam"], halt_on_blocklist_hit=True)
    assert raised.value.status_code == 501 and raised.value.error.code == "NotImplemented"


def test_categories_are_501_not_invented(safety: Any) -> None:
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as raised:
        analyze(safety, "What a lovely day.")
    assert raised.value.status_code == 501
    assert "harm classifiers" in raised.value.error.message


def test_removed_items_no_longer_match(blocklists: Any, safety: Any, spam_list: dict[str, str]) -> None:
    from azure.ai.contentsafety.models import RemoveTextBlocklistItemsOptions
    from azure.core.exceptions import HttpResponseError

    blocklists.remove_blocklist_items(
        blocklist_name="spam",
        options=RemoveTextBlocklistItemsOptions(blocklist_item_ids=[spam_list["casino"]]),
    )
    assert [item.text for item in blocklists.list_text_blocklist_items("spam")] == ["free crypto"]
    with pytest.raises(HttpResponseError):
        analyze(safety, "best casino in town", blocklist_names=["spam"], halt_on_blocklist_hit=True)


def test_delete_blocklist(blocklists: Any, spam_list: dict[str, str]) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    blocklists.delete_text_blocklist("spam")
    assert list(blocklists.list_text_blocklists()) == []
    with pytest.raises(ResourceNotFoundError) as raised:
        blocklists.get_text_blocklist("spam")
    assert raised.value.error.code == "ResourceNotFound"


def test_unknown_blocklist_in_analysis_is_404(safety: Any) -> None:
    from azure.core.exceptions import ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError) as raised:
        analyze(safety, "hello", blocklist_names=["nope"], halt_on_blocklist_hit=True)
    assert raised.value.error.code == "ResourceNotFound"


def test_bad_requests_are_invalid_request_body(safety: Any, blocklists: Any) -> None:
    from azure.ai.contentsafety.models import TextBlocklist
    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as raised:
        analyze(safety, "x" * 10_001)
    assert raised.value.status_code == 400 and raised.value.error.code == "InvalidRequestBody"
    with pytest.raises(HttpResponseError) as raised:
        analyze(safety, "hello", categories=["Spam"])
    assert raised.value.error.code == "InvalidRequestBody" and "Spam" in raised.value.error.message
    with pytest.raises(HttpResponseError) as raised:
        blocklists.create_or_update_text_blocklist(
            blocklist_name="bad name!", options=TextBlocklist(blocklist_name="bad name!")
        )
    assert raised.value.error.code == "InvalidResourceName"


def test_image_analysis_checks_the_image_then_is_501(safety: Any) -> None:
    from azure.ai.contentsafety.models import AnalyzeImageOptions, ImageData
    from azure.core.exceptions import HttpResponseError
    from multi_cloud.testing.conformance import media

    with pytest.raises(HttpResponseError) as raised:
        safety.analyze_image(AnalyzeImageOptions(image=ImageData(content=b"not an image")))
    assert raised.value.status_code == 400 and raised.value.error.code == "InvalidRequestBody"
    with pytest.raises(HttpResponseError) as raised:
        safety.analyze_image(AnalyzeImageOptions(image=ImageData(content=media.portrait_jpeg())))
    assert raised.value.status_code == 501 and raised.value.error.code == "NotImplemented"


def test_wrong_key_is_401(endpoint: str) -> None:
    from azure.ai.contentsafety import ContentSafetyClient
    from azure.core.credentials import AzureKeyCredential
    from azure.core.exceptions import ClientAuthenticationError

    client = ContentSafetyClient(endpoint, AzureKeyCredential("wrong"))
    with pytest.raises(ClientAuthenticationError) as raised:
        analyze(client, "hello")
    assert raised.value.status_code == 401
