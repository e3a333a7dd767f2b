"""Hostile configuration: the shipped YAML, mutated every way a hand or an attacker could, always loads or says
``file:line: what`` — never another exception, never a hang, never a crash of the process.

The tree mutations drop, rename, duplicate and retype keys at any depth and put hostile values anywhere (controls,
NUL, RTL marks, NFD, huge numbers, impossible dates); the text mutations add what only text can hold (tabs, a BOM,
duplicate keys, alias bombs, ``!!python/object`` tags, deep nesting, bytes that are not UTF-8). The examples are
few in CI (``DONDOC_FUZZ_EXAMPLES`` raises them locally); the named nasties are each tried once, in this process
and through the real CLI in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dondoc.config import ConfigError, load_catalog
from tests import figures

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "config"
FILES = ("plans/bp-2021.yaml", "agencies/binh-phuoc.yaml", "agencies/national.yaml", "agencies/dong-nai.yaml")
EXAMPLES = int(os.environ.get("DONDOC_FUZZ_EXAMPLES", "60"))

HOSTILE_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\r\nb",
            "\n",
            "\t",
            "\x1b[31mred\x1b[0m",
            "[red]x[/red]",
            "\u202eevil",
            "\ufeff",
            "Ba\u0300o ca\u0301o",
            "'; DROP TABLE deadline;--",
            "$(rm -rf /)",
            "../../etc/passwd",
            "x" * 5000,
            "31/2",
            "0/13",
            "29/2",
            "2021-02-31",
            "20/5/99999",
            "99999999999999999999/5",
            "1e400",
            ".nan",
            "-.inf",
        ]
    ),
    st.text(max_size=30),
)
VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=10**20, max_value=10**40),
        st.floats(),
        st.dates(),
        HOSTILE_TEXT,
    ),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(HOSTILE_TEXT, children, max_size=3)),
    max_leaves=6,
)
ALIAS_BOMB = "\n".join(
    ["b0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]" for i in range(1, 10)]
)
SNIPPETS = [
    "\t",
    "\x00",
    "\ufeff",
    "\u202e",
    "key: [",
    "? [a, b]\n: c",
    "*undefined",
    "&a",
    "!!python/object/apply:os.system ['touch /tmp/dondoc-pwned']",
    "!!binary x",
    "!!int abc",
    "!!timestamp 2021-02-31",
    "%YAML 1.1",
    "---\nnext: doc",
    "x: " + "[" * 60 + "]" * 60,
    "x: " + "[" * 100_000 + "]" * 100_000,
    ALIAS_BOMB,
    "x: &r [*r]",
    "<<: *nope",
]


@contextmanager
def at_most(seconds: int):
    """A hang guard, not a speed test: fail instead of holding the suite for ever."""

    def hung(*_):
        raise TimeoutError(f"still loading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def small_config(root: Path) -> Path:
    """One shipped plan with the agencies it names: the careful (ruamel) path reads it in a fraction of a second."""
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SHIPPED / name, root / name)
    return root


def assert_loads_or_says_where(config: Path) -> None:
    """The property: a catalog, or a ConfigError whose every problem is one line naming a file (and a line in it)."""
    with at_most(60):
        try:
            load_catalog(config)
            return
        except ConfigError as error:
            problems = error.problems
    assert problems
    for problem in problems:
        assert problem.file.is_relative_to(config), problem
        if problem.line is not None:
            assert problem.file.is_file() and 1 <= problem.line <= problem.file.read_bytes().count(b"\n") + 2, problem
        line = str(problem)
        assert line.startswith(f"{problem.file}:") and "\n" not in line and "\r" not in line and "\x1b" not in line


def _pick(data, draw, depth=0):
    """A (container, key) somewhere in ``data``, drawn from the top down."""
    container = data
    while True:
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        if not keys:
            return container, None
        key = draw(st.sampled_from(keys))
        child = container[key]
        if not isinstance(child, (dict, list)) or not child or draw(st.booleans()):
            return container, key
        container = child


@st.composite
def mutated_tree(draw) -> tuple[str, str]:
    """(file, text): one of FILES with 1–3 mutations of its data, written back as YAML."""
    name = draw(st.sampled_from(FILES))
    data = yaml.safe_load((SHIPPED / name).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        container, key = _pick(data, draw)
        if key is None:
            continue
        operation = draw(st.sampled_from(["drop", "retype", "rename", "duplicate"]))
        if operation == "drop":
            del container[key]
        elif operation == "retype":
            container[key] = draw(VALUES)
        elif operation == "rename" and isinstance(container, dict):
            container[draw(HOSTILE_TEXT)] = container.pop(key)
        elif isinstance(container, list):
            container.append(container[key])
    return name, yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)


@st.composite
def mutated_text(draw) -> tuple[str, bytes]:
    """(file, bytes): one of FILES with snippets put in at line starts or ends, lines repeated, or bytes broken."""
    name = draw(st.sampled_from(FILES))
    lines = (SHIPPED / name).read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["insert", "append", "repeat", "prefix"]))
        if operation == "insert":
            lines.insert(at, draw(st.sampled_from(SNIPPETS)))
        elif operation == "append":
            lines[at] += draw(st.sampled_from(SNIPPETS + [" #", ": x", " *a", " &a"]))
        elif operation == "repeat":
            lines.insert(at, lines[at])  # a duplicate key, a duplicate list item
        else:
            lines[at] = draw(st.sampled_from(["\t", " ", "  - ", "? "])) + lines[at]
    data = "\n".join(lines).encode("utf-8")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"", b"\x00"])) + data[cut:]
    return name, data


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutated_tree())
def test_any_mutation_of_the_data_loads_or_says_file_and_line(tmp_path_factory, mutation):
    figures.add(figures.HOSTILE)
    config = small_config(tmp_path_factory.mktemp("config"))
    name, text = mutation
    (config / name).write_text(text, encoding="utf-8")
    assert_loads_or_says_where(config)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutated_text())
def test_any_mutation_of_the_text_loads_or_says_file_and_line(tmp_path_factory, mutation):
    figures.add(figures.HOSTILE)
    config = small_config(tmp_path_factory.mktemp("config"))
    name, data = mutation
    (config / name).write_bytes(data)
    assert_loads_or_says_where(config)


def _replace(old: str, new: str):
    def damage(plan: Path) -> None:
        text = plan.read_text(encoding="utf-8")
        assert old in text
        plan.write_text(text.replace(old, new, 1), encoding="utf-8")

    return damage


def _swap(make):
    def damage(plan: Path) -> None:
        plan.unlink()
        make(plan)

    return damage


TITLE = 'title: "Kế hoạch thực hiện công tác trẻ em năm 2021"'
# Each of these escaped as a traceback, hung or crashed the process before it was fixed; the said text is checked.
NASTIES = {
    "impossible ISO date": (_replace("start: 2021-01-01", "start: 2021-02-31"), ":23: YAML error: cannot read"),
    "year 0": (_replace("end: 2021-12-31", "end: 0000-12-31"), ":23: YAML error"),
    "year 9999": (_replace("end: 2021-12-31", "end: 9999-12-31"), ":23: 31/12/9999 is not between the years"),
    "written year 10**23": (
        _replace('H1: "20/5"', "H1: {day: 20, month: 5, year: 99999999999999999999999}"),
        ":174: Input should be less than or equal to 2999",
    ),
    "written 31/2": (_replace('"20/5"', '"31/2"'), ":174: 31/2: day 31 does not exist in month 2"),
    "written 0/13": (_replace('"20/5"', '"0/13"'), ":174: 0/13: there is no month 13"),
    "nested 100,000 deep": (
        _replace(TITLE, "title: " + "[" * 100_000 + "]" * 100_000),
        ":17: lists and mappings nested more than 50 deep",
    ),
    "alias bomb as a key": (
        lambda p: p.write_text(ALIAS_BOMB + "\n? *b8\n: x\n" + p.read_text()),
        ":9: a key that is a list or a mapping",
    ),
    "alias bomb as a value": (
        lambda p: p.write_text(ALIAS_BOMB + "\n" + p.read_text()),
        ":6: aliases expand to more than 100,000 values",
    ),
    "a list that contains itself": (_replace("targets:", "x: &r [*r]\ntargets:"), "a value contains itself"),
    "NUL": (_replace(TITLE, 'title: "\x00Kế hoạch"'), ":17: YAML error: special characters are not allowed"),
    "not UTF-8": (lambda p: p.write_bytes(b"\xff\xfe" + p.read_bytes()), ": not UTF-8 text"),
    "a key with a newline and ANSI": (
        _replace("issuer:", '"is\\nsu\\x1b[31mer": x\nissuer:'),
        ":18: unknown field 'is\\nsu\\x1b[31mer'",
    ),
    "python object tag": (
        _replace(TITLE, "title: !!python/object/apply:os.system ['touch /tmp/dondoc-pwned']"),
        ":17: 'title': Input should be a valid string",
    ),
    "50 MB": (lambda p: p.write_bytes(p.read_bytes() + b"#" * 50_000_000), "a configuration file may have"),
    "a million values": (
        _replace("targets:", "junk: [" + "1, " * 1_000_000 + "]\ntargets:"),
        "more than 250,000 YAML values in one file",
    ),
    "a mapping as a key": (_replace("title:", "? {a: [b]}\n: x\ntitle:"), ":17: a key that is a list or a mapping"),
    "a directory": (_swap(Path.mkdir), ": not a regular file"),
    "a symlink loop": (_swap(lambda p: p.symlink_to(p)), ": cannot read: Too many levels of symbolic links"),
    "a FIFO": (_swap(os.mkfifo), ": not a regular file"),
}


@pytest.mark.parametrize("nasty", list(NASTIES))
def test_named_nasties_are_one_located_line_each(tmp_path, nasty):
    figures.add(figures.HOSTILE)
    damage, said = NASTIES[nasty]
    config = small_config(tmp_path / "config")
    damage(config / FILES[0])
    assert_loads_or_says_where(config)
    with pytest.raises(ConfigError) as raised:
        load_catalog(config)
    assert any(str(p).startswith(f"{config / FILES[0]}") and said in str(p) for p in raised.value.problems), (
        raised.value.problems
    )
    assert not Path("/tmp/dondoc-pwned").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "nasty, command",
    [
        ("nested 100,000 deep", ["plans", "check"]),
        ("alias bomb as a value", ["plans", "check"]),
        ("a key with a newline and ANSI", ["plans", "check"]),
        ("NUL", ["plans", "check"]),
        ("impossible ISO date", ["sync", "--now", "2021-03-01"]),
        ("a FIFO", ["sync", "--now", "2021-03-01"]),
    ],
)
def test_the_cli_says_where_in_one_line_a_problem_and_exits_1(tmp_path, nasty, command):
    """Through the real CLI in a subprocess: exit 1, every problem line is ``path:line: …``, no traceback."""
    figures.add(figures.HOSTILE)
    damage, said = NASTIES[nasty]
    config = small_config(tmp_path / "config")
    damage(config / FILES[0])
    env = dict(os.environ, DONDOC_CONFIG_DIR=str(config), DONDOC_DATA_DIR=str(tmp_path / "data"))
    env.pop("DONDOC_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "dondoc", *command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    *problems, summary = done.stderr.strip().splitlines()
    assert summary.startswith("Cấu hình không hợp lệ:") and summary.endswith("problem(s)")
    assert problems and all(line.startswith(f"{config}/") for line in problems), problems
    assert any(said in line for line in problems) and "\x1b" not in done.stderr
