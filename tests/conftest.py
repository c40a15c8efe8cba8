"""Shared fixtures: the embedded contract and the fictitious execution example, loaded once per session.

Tests must not modify these frames in place: they copy what they alter (see ``dataclasses.replace``).
"""

import pytest

import analysis


@pytest.fixture(scope="session")
def contract():
    return analysis.load_contract()


@pytest.fixture(scope="session")
def execution(contract):
    return analysis.load_execution(contract)
