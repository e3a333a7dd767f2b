"""The fast YAML path reads every file exactly as the careful (ruamel, line-aware) one does."""

from __future__ import annotations

import json

import pytest
import yaml
from ruamel.yaml import YAML

from dondoc.config import _CoreLoader, _DuplicateKey, _load_fast, _load_located, load_catalog
from dondoc.resources import shipped

TRICKY = """\
date: 2021-01-01
leading_zero: 010
octal: 0o10
hex: 0x1F
underscored: 1_000
yes_is_text: yes
on_is_text: on
clock_is_text: 12:30
written_date: 20/5
quoted: "20/5"
infinite: .inf
exponent: 1e3
negative: -3
tilde: ~
empty:
true_is_bool: True
nested: {list: [1, "a", no, 2021-12-31], mapping: {x: 0.5}}
"""


def _plain(value):
    """ruamel's commented containers as plain dicts and lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _both(text: str):
    return yaml.load(text, Loader=_CoreLoader), _plain(YAML(typ="rt").load(text))  # noqa: S506


def test_tricky_scalars_read_the_same():
    fast, careful = _both(TRICKY)
    assert fast == careful
    assert fast["leading_zero"] == 10 and fast["yes_is_text"] == "yes" and fast["clock_is_text"] == "12:30"


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(shipped("config")) for p in shipped("config").rglob("*.yaml")), ids=str
)
def test_every_shipped_file_reads_the_same(path):
    fast, careful = _both((shipped("config") / path).read_text(encoding="utf-8"))
    assert json.dumps(fast, default=str, sort_keys=True) == json.dumps(careful, default=str, sort_keys=True)


def test_a_duplicate_key_is_refused_by_the_fast_path():
    with pytest.raises(_DuplicateKey):  # load_catalog then takes the careful path, which names the line
        yaml.load("a: 1\nb: 2\na: 3\n", Loader=_CoreLoader)  # noqa: S506


def test_both_paths_build_the_same_catalog():
    config = shipped("config")
    fast, careful = _load_fast(config, None), _load_located(config, None)  # the fast path does not fall back here
    assert (fast.plans, fast.calendar_years) == (careful.plans, careful.calendar_years)
    assert (fast.directory.agencies, fast.directory.groups) == (careful.directory.agencies, careful.directory.groups)
    assert load_catalog(config).plans == careful.plans


def test_a_duplicate_key_in_a_config_file_is_reported_with_its_line(tmp_path):
    from dondoc.config import check_config
    from tests.support.config import PLAN, write_config

    root = write_config(tmp_path, plan=PLAN.replace("area: demo\n", "area: demo\narea: demo\n", 1))
    [problem] = check_config(root)
    assert str(problem).startswith(f"{root}/plans/demo-2021.yaml:5: ") and "duplicate key" in str(problem)
