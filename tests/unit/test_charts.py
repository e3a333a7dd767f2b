"""The rates chart is an SVG whose bars are the numbers, whose text says them, and where nothing from outside is
markup: parsed back with xml.etree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dondoc.charts import PLOT_HEIGHT, RatePoint, rate_points, rates_chart

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [
    RatePoint("6 tháng đầu năm 2024", 85.9, 71.9, 171, 143, 199),
    RatePoint("năm 2024", 100.0, 50.0, 4, 2, 4),
    RatePoint("quý III", None, None, 0, 0, 0),
]  # nothing required (all excused): no bar


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("data-series")]


def test_each_bar_is_as_tall_as_its_rate_on_a_0_to_100_scale():
    root = parsed(rates_chart(POINTS, title="Báo cáo định kỳ"))
    found = [
        (b.get("data-period"), b.get("data-series"), float(b.get("data-value")), float(b.get("height")))
        for b in bars(root)
    ]
    assert [(p, s, v) for p, s, v, _ in found] == [
        ("6 tháng đầu năm 2024", "reporting", 85.9),
        ("6 tháng đầu năm 2024", "on-time", 71.9),
        ("năm 2024", "reporting", 100.0),
        ("năm 2024", "on-time", 50.0),
    ]
    for _, _, value, height in found:
        assert height == pytest.approx(PLOT_HEIGHT * value / 100)
    # bars stand on one baseline, left to right in the order of the periods
    bottoms = {float(b.get("y")) + float(b.get("height")) for b in bars(root)}
    assert len(bottoms) == 1
    xs = [float(b.get("x")) for b in bars(root)]
    assert xs == sorted(xs)


def test_it_is_accessible_title_desc_and_a_title_on_every_bar_in_vietnamese():
    root = parsed(rates_chart(POINTS, title="Báo cáo định kỳ", chart_id="dinh-ky"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "dinh-ky-title dinh-ky-desc"
    assert root.find(f"{SVG}title").text == "Báo cáo định kỳ"
    desc = root.find(f"{SVG}desc").text
    assert "6 tháng đầu năm 2024: tỷ lệ báo cáo 85,9% (171/199), tỷ lệ đúng hạn 71,9% (143/199)" in desc
    assert "quý III: không có đơn vị phải báo cáo" in desc
    assert [b.find(f"{SVG}title").text for b in bars(root)][:2] == [
        "6 tháng đầu năm 2024 — Tỷ lệ báo cáo: 85,9%",
        "6 tháng đầu năm 2024 — Tỷ lệ đúng hạn: 71,9%",
    ]
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "Tỷ lệ báo cáo" in texts and "Tỷ lệ đúng hạn" in texts and "100%" in texts
    english = parsed(rates_chart(POINTS, title="Period reports", lang="en"))
    assert "reporting rate 85,9% (171/199)" in english.find(f"{SVG}desc").text
    assert "style" not in rates_chart(POINTS, title="x") and "<script" not in rates_chart(POINTS, title="x")


def test_text_from_outside_is_escaped_never_markup():
    hostile = '</text><script>alert("x")</script><text>'
    svg = rates_chart(
        [RatePoint(hostile, 50.0, 25.0, 1, 1, 2)], title='Kế hoạch <b>"A"</b> & B', chart_id='x" onload="alert(1)'
    )
    root = parsed(svg)  # well-formed: nothing broke out
    assert root.find(f"{SVG}title").text == 'Kế hoạch <b>"A"</b> & B'
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    assert all(not name.startswith("on") for element in root.iter() for name in element.attrib)
    assert [b.get("data-period") for b in bars(root)] == [hostile, hostile]
    assert hostile in "".join(root.find(f"{SVG}desc").itertext())


def test_the_points_of_an_overview_period_and_an_empty_chart():
    class Counts:  # the fields of views.Counts that the chart reads
        reporting_rate, on_time_rate, submitted, on_time, required = 75.0, 50.0, 3, 2, 4

    class Period:
        period_label, counts = "quý I năm 2025", Counts()

    assert rate_points([Period()]) == [RatePoint("quý I năm 2025", 75.0, 50.0, 3, 2, 4)]
    empty = parsed(rates_chart([], title="Chưa có kỳ nào"))
    assert bars(empty) == [] and empty.find(f"{SVG}title").text == "Chưa có kỳ nào"


LETTER_WIDTH = 0.62  # of the font size: wider than the average letter of a sans-serif font, so the estimate is safe


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("count", [1, 2])
def test_the_legend_fits_inside_the_chart_when_there_are_few_periods(lang, count):
    root = parsed(rates_chart(POINTS[:count], title="Báo cáo", lang=lang))
    width = float(root.get("width"))
    assert root.get("viewBox").split()[2] == root.get("width")
    font_size = float(root.get("font-size"))
    legend = [t for t in root.iter(f"{SVG}text") if float(t.get("y")) == 15]
    assert len(legend) == 2
    for text in legend:
        words = "".join(text.itertext())
        assert float(text.get("x")) + len(words) * font_size * LETTER_WIDTH <= width, words
