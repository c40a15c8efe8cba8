"""Reduction scenarios: plain functions, and the widget panel driven by setting values."""

from decimal import Decimal

import pandas as pd
import pytest

from analysis import display
from analysis.consumption import flag_under_consumption, state_consumption
from analysis.scenarios import explorer, potential_reductions, threshold_sensitivity


@pytest.fixture(scope="module")
def consumption(contract, execution):
    return state_consumption(contract, execution)


def synthetic(rate, unconsumed):
    return pd.DataFrame(
        {
            "convention": ["cls"],
            "action": ["1.4"],
            "year": pd.array([2024], dtype="Int64"),
            "rate": [rate],
            "ramp_up_rate": [None],
            "justification": [None],
            "unconsumed": [Decimal(unconsumed)],
        }
    )


def test_reduction_is_the_unconsumed_share_to_the_cent():
    flags = flag_under_consumption(synthetic(0.7, "22670.01"))
    table = potential_reductions(flags, share=0.5)
    assert table["reduction_eur"].tolist() == [Decimal("11335.01")]  # 11 335,005 rounded half up
    assert table["year_applied"].tolist() == [2025]


def test_nothing_to_reduce_above_the_threshold():
    assert potential_reductions(flag_under_consumption(synthetic(0.95, "100.00"))).empty


def test_share_must_be_a_proportion():
    with pytest.raises(ValueError, match="part de réduction"):
        potential_reductions(flag_under_consumption(synthetic(0.7, "1.00")), share=1.5)


def test_sensitivity_grows_with_the_threshold(consumption):
    table = threshold_sensitivity(consumption, [0.6, 0.7, 0.8, 0.9, 1.0])
    assert table["at_risk"].is_monotonic_increasing
    assert table["reduction_eur"].is_monotonic_increasing
    at_90 = table.set_index("threshold").loc[0.9]
    # the example's under-consumers without justification nor declared ramp-up (this module ignores the fiches'
    # start dates of 1.4 and 1.5; see analysis.assess for the contracts' own rules)
    assert at_90["at_risk"] == 4
    assert at_90["reduction_eur"] == Decimal("258807.60") + Decimal("35380.00") + Decimal("54132.50") + Decimal("79040.00")
    assert at_90["actions"] == (("cls", "1.2", 2025), ("cls", "1.4", 2024), ("cls", "1.5", 2024), ("cls", "3.2", 2024))
    assert list(display.sensitivity(table).columns)[0] == "Seuil"


def test_explorer_updates_when_sliders_move(consumption):
    panel = explorer(consumption)
    threshold, share = panel.children[0].children
    result = panel.children[1]
    assert "<td>1.4</td>" in result.value and "<td>3.2</td>" in result.value
    assert result.value.startswith("<p><b>4 action(s)-année(s) à risque")
    threshold.value = 0.6
    assert "<td>1.4</td>" not in result.value and result.value.startswith("<p><b>2 action")
    threshold.value = 0.9
    share.value = 0.5
    assert "17\u00a0690,00\u00a0€" in result.value  # half of CLS 1.4's 35 380,00 € in 2024


def test_sliders_and_share_start_from_the_register(consumption):
    from analysis.assumptions import default

    threshold, share = explorer(consumption).children[0].children
    assert threshold.value == default("under_consumption_threshold")  # H01
    assert share.value == default("reduction_share")  # H02
    flags = flag_under_consumption(synthetic(0.7, "100.00"))
    assert potential_reductions(flags)["reduction_eur"].tolist() == [Decimal("100.00")]  # H02: the whole unconsumed amount
