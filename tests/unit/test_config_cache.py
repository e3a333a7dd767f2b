"""The validated configuration is kept under the data directory, keyed by the contents of its files."""

import pytest

from dondoc.config import load_catalog
from dondoc.errors import ConfigError


def test_a_second_load_comes_from_the_cache_and_equals_the_first(config_copy, tmp_path):
    cache = tmp_path / "cache"
    first = load_catalog(config_copy, cache_dir=cache)
    [kept] = cache.glob("catalog-*.pickle")
    second = load_catalog(config_copy, cache_dir=cache)
    assert second.plans == first.plans and second.calendar_years == first.calendar_years
    assert second.directory.agencies == first.directory.agencies and second.directory.groups == first.directory.groups
    assert list(cache.glob("catalog-*.pickle")) == [kept]


def test_a_changed_file_gives_a_new_catalog_and_replaces_the_old_cache(config_copy, tmp_path):
    cache = tmp_path / "cache"
    before = load_catalog(config_copy, cache_dir=cache)
    [old] = cache.glob("catalog-*.pickle")
    path = config_copy / "agencies" / "binh-phuoc.yaml"
    text = path.read_text("utf-8")
    assert '    name: "Ủy ban nhân dân tỉnh Bình Phước"\n' in text
    path.write_text(
        text.replace('    name: "Ủy ban nhân dân tỉnh Bình Phước"\n', '    name: "UBND Đổi Tên"\n', 1), "utf-8"
    )
    after = load_catalog(config_copy, cache_dir=cache)
    assert "UBND Đổi Tên" in {a.name for a in after.directory.agencies.values()}
    assert "UBND Đổi Tên" not in {a.name for a in before.directory.agencies.values()}
    assert [p for p in cache.glob("catalog-*.pickle")] != [old] and len(list(cache.glob("catalog-*.pickle"))) == 1


def test_a_broken_cache_file_is_ignored_and_rewritten(config_copy, tmp_path):
    cache = tmp_path / "cache"
    first = load_catalog(config_copy, cache_dir=cache)
    [kept] = cache.glob("catalog-*.pickle")
    kept.write_bytes(b"\x80\x05 half written")
    assert load_catalog(config_copy, cache_dir=cache).plans == first.plans
    assert load_catalog(config_copy, cache_dir=cache).plans == first.plans  # rewritten, readable


def test_a_configuration_that_does_not_validate_is_never_cached(config_copy, tmp_path):
    cache = tmp_path / "cache"
    load_catalog(config_copy, cache_dir=cache)
    path = config_copy / "plans" / "bp-2021.yaml"
    path.write_text(path.read_text("utf-8") + "\nunknown_field: 1\n", "utf-8")
    with pytest.raises(ConfigError):
        load_catalog(config_copy, cache_dir=cache)
    with pytest.raises(ConfigError):
        load_catalog(config_copy, cache_dir=cache)
