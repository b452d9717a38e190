"""EventBridge pattern semantics, checked against the examples and rules of the EventBridge/Ruler docs."""

from __future__ import annotations

from typing import Any

import pytest
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.onprem.event_patterns import matches, validate_pattern

EC2_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
        "eventVersion": "",
        "responseElements": None,
        "flag": True,
        "tags": ["blue", "prod"],
        "nested": {"level": {"deep": "yes"}},
    },
}


def check(pattern: dict[str, Any], event: dict[str, Any] = EC2_EVENT) -> bool:
    validate_pattern(pattern)
    return matches(pattern, event)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # exact values: fields AND-ed, array items OR-ed, case-sensitive
        ({"source": ["aws.ec2"]}, True),
        ({"source": ["AWS.EC2"]}, False),
        ({"source": ["aws.s3", "aws.ec2"]}, True),
        ({"source": ["aws.ec2"], "detail-type": ["Other"]}, False),
        ({"detail": {"state": ["initializing", "running"]}}, True),
        ({"detail": {"nested": {"level": {"deep": ["yes"]}}}}, True),
        ({"detail": {"nested": {"level": {"deep": ["no"]}}}}, False),
        # numbers compare numerically, booleans and null only with themselves
        ({"detail": {"c-count": [5.0]}}, True),
        ({"detail": {"c-count": ["5"]}}, False),
        ({"detail": {"flag": [True]}}, True),
        ({"detail": {"flag": [1]}}, False),
        ({"detail": {"responseElements": [None]}}, True),
        ({"detail": {"eventVersion": [""]}}, True),
        ({"detail": {"eventVersion": [None]}}, False),  # null and "" are not interchangeable
        ({"detail": {"missing": [None]}}, False),
        # event arrays match when they intersect the pattern's values
        ({"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"]}, True),
        ({"detail": {"tags": ["prod", "dev"]}}, True),
        ({"detail": {"tags": ["dev"]}}, False),
    ],
)
def test_exact_matching(pattern: dict[str, Any], expected: bool) -> None:
    assert check(pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"time": [{"prefix": "2017-10-02"}]}, True),
        ({"time": [{"prefix": "2018"}]}, False),
        ({"detail": {"c-count": [{"prefix": "5"}]}}, False),  # strings only
        ({"source": [{"prefix": {"equals-ignore-case": "AWS."}}]}, True),
        ({"source": [{"suffix": "ec2"}]}, True),
        ({"source": [{"suffix": "EC2"}]}, False),
        ({"source": [{"suffix": {"equals-ignore-case": "EC2"}}]}, True),
        ({"source": [{"equals-ignore-case": "AWS.Ec2"}]}, True),
        ({"source": [{"equals-ignore-case": "aws.ec"}]}, False),
    ],
)
def test_prefix_suffix_and_ignore_case(pattern: dict[str, Any], expected: bool) -> None:
    assert check(pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("Simple*Service", "SimpleQueueService", True),
        ("Simple*Service", "SimpleService", True),
        ("Simple*Service", "SimpleQueueServices", False),
        ("*.png", "dir/cat.png", True),
        ("*/lib/*", "/usr/lib/x", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a\\\\b", "a\\b", True),
        ("exact", "exact", True),
    ],
)
def test_wildcard(pattern: str, value: str, expected: bool) -> None:
    assert check({"f": [{"wildcard": pattern}]}, {"f": value}) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"anything-but": "initializing"}, True),
        ({"anything-but": "running"}, False),
        ({"anything-but": ["stopped", "running"]}, False),
        ({"anything-but": {"prefix": "run"}}, False),
        ({"anything-but": {"prefix": "init"}}, True),
        ({"anything-but": {"suffix": "ing"}}, False),
        ({"anything-but": {"equals-ignore-case": "RUNNING"}}, False),
        ({"anything-but": {"equals-ignore-case": ["STOPPED", "PENDING"]}}, True),
        ({"anything-but": {"wildcard": "r*g"}}, False),
        ({"anything-but": {"wildcard": "*stop*"}}, True),
    ],
)
def test_anything_but_on_a_string(condition: dict[str, Any], expected: bool) -> None:
    assert check({"detail": {"state": [condition]}}) is expected


def test_anything_but_numbers_missing_fields_and_arrays() -> None:
    assert check({"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}) is True
    assert check({"detail": {"c-count": [{"anything-but": 5}]}}) is False
    assert check({"detail": {"absent": [{"anything-but": "x"}]}}) is False  # the field must exist
    assert check({"detail": {"tags": [{"anything-but": "blue"}]}}) is True  # "prod" is another value
    assert check({"detail": {"tags": [{"anything-but": ["blue", "prod"]}]}}) is False


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ([">", 0, "<=", 5], True),
        ([">", 5], False),
        ([">=", 5], True),
        (["<", 10], True),
        (["=", 5], True),
        (["=", 3.018e2], False),
        ([">", 5, "<", 6], False),
    ],
)
def test_numeric(condition: list[Any], expected: bool) -> None:
    assert check({"detail": {"c-count": [{"numeric": condition}]}}) is expected


def test_numeric_only_matches_json_numbers() -> None:
    assert check({"detail": {"x-limit": [{"numeric": ["=", 301.8]}]}}) is True
    assert check({"f": [{"numeric": [">", 0]}]}, {"f": "7"}) is False
    assert check({"f": [{"numeric": [">", 0]}]}, {"f": True}) is False


def test_cidr() -> None:
    assert check({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}) is True
    assert check({"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}) is False
    assert check({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db8::1"}) is True
    assert check({"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": "not-an-ip"}) is False


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"detail": {"c-count": [{"exists": True}]}}, True),
        ({"detail": {"c-count": [{"exists": False}]}}, False),
        ({"detail": {"absent": [{"exists": False}]}}, True),
        ({"detail": {"absent": [{"exists": True}]}}, False),
        ({"detail": {"responseElements": [{"exists": True}]}}, True),  # null is a present value
        ({"detail": {"nested": [{"exists": True}]}}, False),  # exists only sees leaf nodes
        ({"detail": {"nested": [{"exists": False}]}}, True),
        ({"nothere": {"child": [{"exists": False}]}}, True),  # missing parents: the leaf is absent
    ],
)
def test_exists(pattern: dict[str, Any], expected: bool) -> None:
    assert check(pattern) is expected


def test_or_combines_alternatives_at_any_level() -> None:
    either = {
        "source": ["aws.ec2"],
        "$or": [{"detail": {"c-count": [{"numeric": [">", 10]}]}}, {"detail": {"state": ["running"]}}],
    }
    assert check(either) is True
    neither = {"$or": [{"detail": {"state": ["stopped"]}}, {"detail": {"d-count": [99]}}]}
    assert check(neither) is False
    nested = {"detail": {"$or": [{"state": ["stopped"]}, {"x-limit": [301.8]}]}}
    assert check(nested) is True


def test_arrays_of_objects_match_element_by_element() -> None:
    event = {
        "employees": [
            {"first": "John", "last": "Doe"},
            {"first": "Anna", "last": "Smith"},
            {"first": "Peter", "last": "Jones"},
        ]
    }
    assert check({"employees": {"first": ["Anna"]}}, event) is True
    assert check({"employees": {"first": ["Anna"], "last": ["Smith"]}}, event) is True
    assert check({"employees": {"first": ["Anna"], "last": ["Jones"]}}, event) is False  # not in one element


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ({}, "non-empty JSON object"),
        ({"source": "aws.ec2"}, "must be arrays"),
        ({"source": []}, "non-empty array"),
        ({"detail": {}}, "must not be empty"),
        ({"f": [{"prefix": 5}]}, "'prefix' takes a string"),
        ({"f": [{"numeric": [">", "five"]}]}, "'numeric' takes"),
        ({"f": [{"numeric": ["<", 5, ">", 0]}]}, "'numeric' takes"),
        ({"f": [{"numeric": [">", 5, "<", 1]}]}, "low < high"),
        ({"f": [{"exists": "yes"}]}, "'exists' takes true or false"),
        ({"f": [{"cidr": "10.0.0.0/99"}]}, "'cidr' needs a network"),
        ({"f": [{"wildcard": "a**b"}]}, "consecutive"),
        ({"f": [{"wildcard": "a\\b"}]}, "backslash"),
        ({"f": [{"anything-but": ["a", 1]}]}, "only strings or only numbers"),
        ({"f": [{"anything-but": {"numeric": [">", 1]}}]}, "'anything-but' objects support"),
        ({"f": [{"regex": "a.*"}]}, "unknown operator 'regex'"),
        ({"f": [{"prefix": "a", "suffix": "b"}]}, "one operator"),
        ({"$or": [{"a": ["x"]}]}, "at least two"),
    ],
)
def test_invalid_patterns_name_the_problem(pattern: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match="invalid event pattern") as caught:
        validate_pattern(pattern)
    assert message in str(caught.value)
