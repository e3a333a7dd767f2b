"""HTML in what agencies and config write never becomes markup in the HTML report.

The report is rendered through the real template twice: once with plain words and once with a hostile payload in
every text an agency or the configuration supplies (agency names, narratives, file names, text figures, plan and
target titles, place, issuer, recipients). The property: the same tags with the same attributes, in the same order —
the payload adds no element and no attribute (``<script>``, ``"><img onerror=…>``) — and it shows as text.
"""

from __future__ import annotations

import datetime as dt
import os
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dondoc.aggregate import AgencyInput, aggregate
from dondoc.documents.report import render_html
from dondoc.mail.render import jinja_environment
from dondoc.model import Plan
from dondoc.resources import shipped
from tests import figures

EXAMPLES = int(os.environ.get("DONDOC_FUZZ_EXAMPLES", "40"))
PAYLOADS = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</p></div><iframe src=//example.com>",
    "<!-- x",
    "]]><x>",
    "&lt;script&gt;",
    "{{ 7*7 }}",
    "{% raw %}",
    "javascript:alert(1)",
    "<style>*{display:none}</style>",
    "\x00<b>",
    "Phòng GD&ĐT <b>đậm</b>",
]
AT = dt.datetime(2021, 11, 10, 3, 0, tzinfo=dt.UTC)


class Tags(HTMLParser):
    """The sequence of (tag, attributes) of a page, and its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.tags.append(("/" + tag, ()))

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.tags.append(("!--", (data,)))


def parsed(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    tags.close()
    return tags


def report_html(word: str) -> str:
    """The HTML report with ``word`` in every text agencies and the configuration supply."""
    plan = Plan.model_validate(
        {
            "id": "dl-test",
            "title": f"Kế hoạch {word}",
            "number": f"2041/{word}",
            "issuer": "dl.ubnd",
            "area": "dl",
            "coordinator": "dl.so",
            "source": {"file": "f.txt"},
            "valid": {"start": "2021-01-01", "end": "2021-12-31"},
            "targets": [
                {"id": "1", "text": f"Số trẻ em {word}", "unit": "count", "goal": {"op": ">=", "value": 100}},
                {"id": "3", "text": f"Mô hình {word}", "unit": "text"},
            ],
            "obligations": [
                {
                    "id": "bao-cao",
                    "title": f"Báo cáo {word}",
                    "kind": "period-report",
                    "reporters": ["dl.a", "dl.b", "dl.c"],
                    "recipient": "dl.so",
                    "schedule": {"every": "half-year", "due": {"H1": "20/5", "Y": "15/11"}},
                    "rule": "before",
                    "quote": "trước ngày 15/11",
                    "source": {"file": "f.txt"},
                }
            ],
        }
    )
    inputs = [
        AgencyInput(
            "dl.a",
            f"Sở {word}",
            submitted_at=AT,
            on_time=True,
            version=1,
            narrative=f"Kết quả {word}.\n\n{word}",
            files=(f"{word}.docx",),
            values={"1": {"value": 60}, "3": {"value": f"Mô hình {word}"}},
        ),
        AgencyInput("dl.b", f"UBND {word}", reminders=3),
        AgencyInput("dl.c", f"Phòng {word}", excused=True),
    ]
    data = aggregate(
        plan,
        "bao-cao",
        "2021",
        f"năm 2021 {word}",
        inputs,
        coordinator_name=f"Sở LĐTBXH {word}",
        recipients=(f"UBND tỉnh {word}",),
        report_date=dt.date(2021, 11, 20),
    )
    return render_html(jinja_environment(shipped("templates")), data, place=f"Đắk Lắk {word}", issuer_name=f"Sở {word}")


@pytest.fixture(scope="module")
def plain() -> Tags:
    return parsed(report_html("bình thường"))


def assert_inert(page: str, plain: Tags, payload: str) -> None:
    shown = parsed(page)
    assert shown.tags == plain.tags, "the payload changed the page's elements or attributes"
    visible = "".join(shown.text)  # character references already decoded by the parser
    assert payload.replace("\x00", "").strip().split("\n")[0][:20] in visible.replace("\x00", "") or not payload.strip()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_in_every_field_of_the_html_report_is_text(plain, payload):
    figures.add(figures.HOSTILE)
    assert_inert(report_html(payload), plain, payload)


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(
    st.lists(st.sampled_from(PAYLOADS + ["<", ">", "&", '"', "'", "=", " ", "/", "a"]), min_size=1, max_size=8)
    .map("".join)
    .filter(str.strip)
)  # blank text is left out of the page (no empty quote), which is no injection
def test_any_mix_of_markup_characters_adds_no_element(payload):
    figures.add(figures.HOSTILE)
    assert parsed(report_html(payload)).tags == parsed(report_html("bình thường")).tags
