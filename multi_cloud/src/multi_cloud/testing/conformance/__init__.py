"""Behaviour every provider must show, as abstract test classes (fsspec's tests/abstract pattern).

A provider opts in by subclassing, e.g. ``class TestS3(StorageConformance)``, and giving a
``provider`` fixture that returns a ready :class:`~multi_cloud.core.base.CloudProvider`.
``contract.ContractConformance`` checks the contract itself (typed services, real ``unsupported`` keys).
"""
