"""Params are checked against the model's schema before anything is sent; Replicate's own
422 (`invalid_fields`) is the same typed error."""

from __future__ import annotations

import pytest
from conftest import MakeProvider
from fake_replicate import TEXT_MODEL, FakeReplicate, problem
from replicate_helpers import FLUX

from mediaconduit.sdk import Image, InvalidInputError, Text


@pytest.mark.parametrize(("params", "message"), [
    ({"num_output": 2}, r"'num_output' is not an input of this model \(did you mean "
                        r"'num_outputs'\?\)"),
    ({"num_outputs": "2"}, r"num_outputs must be an integer, not '2' \(str\)"),
    ({"num_outputs": 9}, r"num_outputs must be at most 4, not 9"),
    ({"go_fast": 1}, r"go_fast must be a boolean, not 1 \(int\)"),
    ({"seed": True}, r"seed must be an integer, not True \(bool\)"),
])
def test_a_bad_param_is_refused_before_anything_is_sent(
        make_provider: MakeProvider, fake: FakeReplicate, params: dict[str, object],
        message: str) -> None:
    model = make_provider().get_model(FLUX)
    with pytest.raises(InvalidInputError, match=message) as caught:
        model.transform(Text("a corgi"), **params)
    assert "Its inputs are: prompt (string), aspect_ratio (string), num_outputs (integer)" \
        in str(caught.value)
    assert fake.requests == []


def test_a_missing_required_input_is_named(make_provider: MakeProvider,
                                           fake: FakeReplicate) -> None:
    with pytest.raises(InvalidInputError, match="prompt is required"):
        make_provider().get_model(FLUX).transform(Text(""))
    assert fake.requests == []


def test_an_input_of_a_kind_the_model_lacks_is_refused(make_provider: MakeProvider,
                                                       fake: FakeReplicate,
                                                       tmp_path: object) -> None:
    with pytest.raises(InvalidInputError, match="has no image input; its inputs are: prompt"):
        make_provider().get_model(FLUX).transform(Image.from_url("https://x.test/a.png"))
    assert fake.requests == []


def test_on_demand_models_are_checked_against_the_schema_the_api_gave(
        make_provider: MakeProvider, fake: FakeReplicate) -> None:
    model = make_provider().get_model(TEXT_MODEL)
    with pytest.raises(InvalidInputError, match="temperature must be at most 5"):
        model.transform(Text("hi"), temperature=7)
    assert [r.endpoint for r in fake.requests] == ["model"]


def test_replicates_own_422_names_the_invalid_fields(make_provider: MakeProvider,
                                                     fake: FakeReplicate) -> None:
    fake.script("create", problem(422, "- input.aspect_ratio: must be one of 1:1, 16:9\n",
                                  "Input validation failed", invalid_fields=[
                                      {"type": "enum", "field": "input.aspect_ratio",
                                       "description": "must be one of 1:1, 16:9"}]))
    with pytest.raises(InvalidInputError, match=r"HTTP 422\): input.aspect_ratio: must be one "
                                                r"of 1:1, 16:9"):
        make_provider().get_model(FLUX).transform(Text("a corgi"), aspect_ratio="7:3")
    assert len(fake.requests_to("create")) == 1  # a 422 is not retried
