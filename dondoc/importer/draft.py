"""The draft configuration of a plan: what ``dondoc plans import FILE`` writes for the coordinator to review.

The draft is a plan YAML that validates against :class:`dondoc.model.Plan`:
every obligation carries the sentence it came from (``quote``) and, in a
comment, the importer's confidence; ``# REVIEW:`` comments say what the text
left open. Agencies are matched to ``config/agencies/<area>.yaml``; names the
directory does not know get a ``new.`` id and are listed at the top, ready to
be added to the directory.

``Draft.review_points`` lists every open point, one line each; ``pending_reviews`` those a saved draft still
holds (``dondoc plans import --check``).

A date is never made up. A report the plan asks for without a day ("định kỳ
6 tháng, hằng năm báo cáo …") becomes an ``ad-hoc`` obligation (opened by
hand) with a REVIEW comment naming the periods, until the coordinator writes
the dates in.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..config import review_points
from ..model import Area, Kind, Level, Plan, Rule
from .agencies import AgencyMatch, Directory, canonical, slug
from .clauses import NO_DATE, Item, find_items, is_modern, sentences
from .parties import GROUP_KINDS, GROUP_NAMES
from .targets import FoundTarget, find_targets
from .text import read_plan

__all__ = ["Draft", "areas_of", "draft_plan", "import_plan", "level_of", "pending_reviews"]

_PERIOD_LABEL = {
    "H1": "6 tháng",
    "H2": "6 tháng cuối năm",
    "Y": "năm",
    "Q": "quý",
    "M": "tháng",
    "once": "một lần",
    "ad-hoc": "đột xuất",
    "periodic": "định kỳ",
}


@dataclass(slots=True)
class DraftObligation:
    """An obligation of the draft, the items it came from, and what the coordinator should check."""

    data: dict
    items: list[Item]
    confidence: float
    review: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Draft:
    """The draft of one plan: the plan mapping, its obligations' provenance, agencies known and new."""

    source: str
    plan: dict
    obligations: list[DraftObligation]
    targets: list[FoundTarget]
    items: list[Item]
    agencies: dict[str, AgencyMatch]
    review: list[str]

    def review_points(self) -> list[str]:
        """Every point the coordinator must settle, one line each: the plan's, each obligation's, each target's."""
        points = [f"plan: {note}" for note in self.review]
        for obligation in self.obligations:
            points += [
                f"obligation {obligation.data['id']} (confidence {obligation.confidence:.2f}): {note}"
                for note in obligation.review
            ]
        for found in self.targets:
            points += [f"target {found.id}: {note}" for note in found.review]
        return points

    @property
    def new_agencies(self) -> list[AgencyMatch]:
        return sorted((m for m in self.agencies.values() if not m.known), key=lambda m: m.id)

    def validate(self) -> Plan:
        """The draft as a :class:`Plan` (raises pydantic's ValidationError if the importer built something wrong)."""
        return Plan.model_validate(self.plan)

    def to_json(self) -> str:
        """The draft and its provenance as JSON (``--format json``)."""
        return json.dumps(
            {
                "plan": self.plan,
                "obligations": [
                    {
                        "id": o.data["id"],
                        "confidence": o.confidence,
                        "review": o.review,
                        "items": [_item_json(i) for i in o.items],
                    }
                    for o in self.obligations
                ],
                "new_agencies": [{"id": m.id, "name": m.name} for m in self.new_agencies],
                "review": self.review,
            },
            ensure_ascii=False,
            indent=2,
            default=str,
        )

    def to_yaml(self) -> str:
        """The draft as commented YAML, ready to save under ``config/plans/``."""
        return _render(self)


def _item_json(item: Item) -> dict:
    return {
        "reporters": item.reporters,
        "recipient": item.recipient,
        "also_to": item.also_to,
        "via": item.via,
        "period": item.period,
        "kind": item.kind.value,
        "date": str(item.date) if item.date else None,
        "rule": item.rule.value if item.rule else None,
        "months_after": item.months_after,
        "onward": item.onward,
        "quote": item.quote,
        "section": item.section,
        "confidence": item.confidence,
        "review": item.review,
    }


def areas_of(directory) -> list[Area]:
    """The areas of a loaded :class:`dondoc.model.Directory`, for matching names."""
    areas: dict[str, dict] = {}
    for agency_id, agency in directory.agencies.items():
        areas.setdefault(directory.area_of[agency_id], {"agencies": [], "groups": []})["agencies"].append(agency)
    for group_id, group in directory.groups.items():
        areas.setdefault(directory.area_of[group_id], {"agencies": [], "groups": []})["groups"].append(group)
    return [Area(area=name, name=name, **parts) for name, parts in areas.items()]


def import_plan(path: Path, areas: list[Area], *, area: str | None = None, plan_id: str | None = None) -> Draft:
    """Read the plan in ``path`` and draft its configuration against the directory ``areas``."""
    text = read_plan(path)
    return draft_plan(text, areas, source=Path(path).name, area=area, plan_id=plan_id)


def draft_plan(
    text: str, areas: list[Area], *, source: str, area: str | None = None, plan_id: str | None = None
) -> Draft:
    """The draft of a plan from its cleaned text."""
    chosen = [
        a
        for a in areas
        if area is None or a.area == area or all(agency.level is Level.NATIONAL for agency in a.agencies)
    ]
    directory = Directory(chosen)
    level = level_of(text)
    items = find_items(text, level)
    all_sentences = sentences(text)
    implementation = [s for s in all_sentences if s.section and re.search(r"(?i)tổ\s+chức\s+thực\s+hiện", s.section)]
    targets = find_targets(text.split("\n"), implementation or all_sentences)
    agencies: dict[str, AgencyMatch] = {}

    def ref(name: str) -> str:
        match = directory.group(name, GROUP_NAMES[name]) if name in GROUP_KINDS else directory.agency(name)
        agencies.setdefault(match.id, match)
        return match.id

    head = _heading(text)
    review: list[str] = list(head.pop("review"))
    issuer = ref(head.pop("issuer_name")) if head.get("issuer_name") else None
    head.pop("issuer_name", None)
    coordinator = _coordinator(items)
    obligations = _obligations(items, ref, source)
    plan: dict = {
        "id": plan_id or head.pop("id"),
        "title": head.pop("title"),
        **({"number": head["number"]} if head.get("number") else {}),
        **({"issued": head["issued"]} if head.get("issued") else {}),
        "issuer": issuer or "new.issuer",
        "area": area or "new-area",
        "coordinator": ref(coordinator) if coordinator else (issuer or "new.coordinator"),
        "source": {"file": source},
        "valid": head["valid"],
    }
    head.pop("id", None)
    if issuer is None:
        review.append("the issuer (UBND …) was not found in the heading: set 'issuer'")
    if coordinator is None:
        review.append("no coordinating department found: set 'coordinator'")
    if area is None:
        review.append("no --area given: set 'area' to the file name of config/agencies/<area>.yaml")
    if targets:
        plan["targets"] = [_target(t, ref) for t in targets]
    assignments = _assignments(implementation, ref)
    if assignments:
        plan["assignments"] = assignments
    for kind, quote in _group_assignments(implementation):
        review.append(
            f'the implementation section gives tasks to a group ({GROUP_NAMES[kind]}: "{quote[:80]}"): '
            "list its members under 'assignments' (an assignment names one agency)"
        )
    plan["obligations"] = [o.data for o in obligations] or [_placeholder(source)]
    if not obligations:
        review.append("no reporting clause was found: the obligation below is a placeholder to fill in")
    return Draft(source, plan, obligations, targets, items, agencies, review)


def level_of(text: str) -> Level:
    """The level of the plan's issuer (a district's plan reads "các địa phương" as its communes).

    Districts were abolished on 1/7/2025: a plan written since is provincial (or national) at most.
    """
    level = _level(text)
    return Level.PROVINCE if level is Level.DISTRICT and is_modern(text) else level


def _level(text: str) -> Level:
    head = text[:1500]
    top = "\n".join(line for line in head.split("\n")[:4])
    if re.search(r"(?m)^(?:THỦ TƯỚNG CHÍNH PHỦ|CHÍNH PHỦ|VĂN PHÒNG CHÍNH PHỦ|BỘ [A-ZĐ]|QUỐC HỘI)", top) or re.search(
        r"(?i)^\s*kính\s+gửi\s*:?\s*(?:[-–]\s*)?(?:các\s+bộ|ủy\s+ban\s+nhân\s+dân\s+các\s+tỉnh|uỷ\s+ban\s+nhân\s+dân\s+các\s+tỉnh)",
        head,
        re.M,
    ):
        return Level.NATIONAL
    if re.search(
        r"(?i)(?:ỦY BAN NHÂN DÂN|UBND)\s+(?:THỊ XÃ|HUYỆN|QUẬN|THÀNH PHỐ\s+(?!HÀ NỘI|HỒ CHÍ MINH|HẢI PHÒNG|ĐÀ NẴNG|CẦN THƠ))",
        head,
    ):
        return Level.DISTRICT
    if re.search(r"\b(?:Phòng Lao động|Phòng LĐTBXH|UBND thị xã|UBND huyện)\b", text) and not re.search(
        r"\bSở Lao động|\bSở LĐTBXH", text
    ):
        return Level.DISTRICT
    return Level.PROVINCE


def _heading(text: str) -> dict:
    """Title, number, date of issue, issuer and span of validity from the plan's first lines."""
    head = text[:3000]
    lines = [line.strip() for line in head.split("\n") if line.strip()]
    review: list[str] = []
    title = None
    for index, line in enumerate(lines):
        if re.match(r"^(?:KẾ HOẠCH|QUYẾT ĐỊNH|CHƯƠNG TRÌNH)\b", line):
            parts = [line]
            for following in lines[index + 1 : index + 4]:
                if re.match(r"(?i)^(?:căn cứ|số\b|ủy ban|uỷ ban|ubnd|kính gửi|[IVX]+\.)", following):
                    break
                if following.isupper() or (len(parts) == 1 and len(following) <= 400 and not following.endswith(":")):
                    parts.append(following)
                    if not following.isupper():
                        break
                else:
                    break
            title = _title_case(" ".join(parts))
            break
    if title is None:
        title = lines[0][:200] if lines else "Kế hoạch"
        review.append("no KẾ HOẠCH/QUYẾT ĐỊNH heading found: check 'title'")
    number = re.search(r"Số\s*:\s*([\w./-]+(?:\s*/\s*[\w.-]+)+)", head)
    issued = re.search(
        r"(?m)^[A-ZĐÀ-Ỹ][^\n,;]{1,30},\s+ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", head[:2000]
    )
    issued_date = None
    if issued:
        try:
            issued_date = dt.date(int(issued[3]), int(issued[2]), int(issued[1]))
        except ValueError:
            issued_date = None
    issuer = re.search(
        r"(?:ỦY BAN NHÂN DÂN|UBND)\s+(TỈNH|THÀNH PHỐ|THỊ XÃ|HUYỆN|QUẬN)\s+([A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ ]{1,40})"
        r"(?=\s*(?:\n|$|CỘNG|Số|-))",
        head,
    )
    issuer_name = None
    if issuer:
        place = " ".join(w.capitalize() for w in issuer[2].split())
        issuer_name = f"Ủy ban nhân dân {issuer[1].lower()} {place}".strip()
    else:
        said = re.search(
            r"(?:Ủy ban nhân dân|UBND)\s+(tỉnh|thành phố|Thành phố|thị xã|huyện)(?:\s+[A-ZĐ]\w*)*\s+ban\s+hành",
            text[:6000],
        )
        if said:
            issuer_name = f"UBND {said[1].lower()}"
    years = [int(y) for y in re.findall(r"\b(20\d\d)\b", title)]
    span = re.search(r"(20\d\d)\s*[-–]\s*(20\d\d)", title)
    if span:
        valid = {"start": dt.date(int(span[1]), 1, 1), "end": dt.date(int(span[2]), 12, 31)}
    elif years:
        valid = {"start": dt.date(years[-1], 1, 1), "end": dt.date(years[-1], 12, 31)}
    elif issued_date:
        valid = {"start": issued_date}
        review.append("the title names no year or span: 'valid' starts at the date of issue and has no end")
    else:
        valid = {"start": dt.date(dt.date.today().year, 1, 1)}
        review.append("neither the title nor the heading gives a year: set 'valid'")
    return {
        "title": title,
        "number": number[1] if number else None,
        "issued": issued_date,
        "issuer_name": issuer_name,
        "valid": valid,
        "id": _plan_id(title, number[1] if number else None, valid),
        "review": review,
    }


def _title_case(title: str) -> str:
    """ "KẾ HOẠCH THỰC HIỆN … TỈNH ĐẮK LẮK" → "Kế hoạch thực hiện … tỉnh Đắk Lắk" (place names keep capitals)."""
    if not any(word.isupper() and len(word) > 1 for word in title.split()):
        return title
    words = title.split()
    out: list[str] = []
    place = 0
    for word in words:
        if word.isupper() and len(word) > 1:
            lower = word.lower()
            if place and lower not in ("giai", "năm", "đến", "về", "trên", "và", "địa", "bàn", "thực", "hiện"):
                out.append(word.capitalize())
                place -= 1
                continue
            place = 3 if lower in ("tỉnh", "phố", "huyện", "xã") else 0
            out.append(lower)
        else:
            place = 0
            out.append(word)
    text = " ".join(out)
    return text[0].upper() + text[1:]


def _plan_id(title: str, number: str | None, valid: dict) -> str:
    year = valid["start"].year
    if number:
        return f"{slug(number.split('/')[0])}-{slug(number.split('/')[1])}-{year}"
    words = [w for w in slug(title).split("-") if w not in ("ke", "hoach")][:4]
    return "-".join(words + [str(year)])


def _coordinator(items: list[Item]) -> str | None:
    """The department reports pass through or are consolidated by (Sở/Phòng LĐTBXH in the seeds)."""
    votes: dict[str, tuple[int, str]] = {}
    for item in items:
        for name in (item.via, item.recipient, *(item.reporters if item.consolidating else [])):
            if name and re.match(r"^(?:Sở|Phòng)\b", name):
                count, first = votes.get(canonical(name), (0, name))
                votes[canonical(name)] = (count + 1, first)
    if not votes:
        return None
    return max(votes.values(), key=lambda vote: vote[0])[1]


def _group_key(item: Item) -> tuple:
    dated = item.date is not None
    family = "half" if item.period in ("H1", "H2", "Y") and dated else f"{item.period}:{item.kind.value}:{dated}"
    return (
        tuple(item.reporters),
        item.recipient and canonical(item.recipient),
        item.via and canonical(item.via),
        family,
        item.rule,
    )


def _obligations(items: list[Item], ref, source: str) -> list[DraftObligation]:
    groups: dict[tuple, list[Item]] = {}
    for item in items:
        if not item.reporters or item.recipient is None:
            groups.setdefault(("unsure", id(item)), []).append(item)
        else:
            groups.setdefault(_group_key(item), []).append(item)
    out: list[DraftObligation] = []
    used: set[str] = set()
    for members in (part for group in groups.values() for part in _one_date_a_period(group)):
        obligation = _obligation(members, ref, used, source)
        if obligation:
            out.append(obligation)
    _link_consolidations(out)
    return out


def _one_date_a_period(members: list[Item]) -> list[list[Item]]:
    """A group split so that no period has two dates in one obligation: two yearly reports to the same body on
    different days ("Báo cáo năm … trước ngày 15/12", "Báo cáo kế hoạch năm … trước ngày 10/01") are two
    obligations, not one whose first date is silently dropped."""
    parts: list[list[Item]] = []
    for item in members:
        home = next(
            (
                part
                for part in parts
                if all(other.period != item.period or str(other.date) == str(item.date) for other in part)
            ),
            None,
        )
        if home is None:
            parts.append([item])
        else:
            home.append(item)
    return parts


def _obligation(members: list[Item], ref, used: set[str], source: str) -> DraftObligation | None:
    first = members[0]
    review = sorted({note for item in members for note in item.review})
    reporters = [ref(name) for name in first.reporters] or ["new.reporter"]
    recipient = ref(first.recipient) if first.recipient else "new.recipient"
    schedule, rule, label = _schedule(members, review)
    kind = first.kind
    if schedule["every"] == "ad-hoc" and first.kind is not Kind.AD_HOC:
        kind = Kind.AD_HOC if first.period == "ad-hoc" else first.kind
    base = slug(("tong-hop " if first.consolidating else "bao-cao ") + label)
    obligation_id, n = base, 2
    while obligation_id in used:
        obligation_id, n = f"{base}-{n}", n + 1
    used.add(obligation_id)
    data: dict = {
        "id": obligation_id,
        "title": f"Báo cáo {label}" if not first.consolidating else f"Báo cáo tổng hợp {label}",
        "kind": kind.value,
        "reporters": reporters,
        "recipient": recipient,
    }
    also = [ref(name) for name in first.also_to]
    if also:
        data["also_to"] = also
    if first.via:
        data["via"] = ref(first.via)
    data["schedule"] = schedule
    data["rule"] = rule.value
    data["quote"] = first.quote
    data["source"] = {"file": source, "section": first.section} if first.section else {"file": source}
    confidence = round(min(item.confidence for item in members), 2)
    if not first.reporters:
        review.append("no reporter found: 'reporters' is a placeholder")
    if first.recipient is None:
        review.append("no recipient found: 'recipient' is a placeholder")
    return DraftObligation(data, members, confidence, review)


def _schedule(members: list[Item], review: list[str]) -> tuple[dict, Rule, str]:
    """The schedule of a group of items, its rule and a label for the title; never a date the text lacks."""
    first = members[0]
    dated = [item for item in members if item.date is not None]
    rule = next((item.rule for item in dated if item.rule), Rule.BY)
    labels = [_PERIOD_LABEL.get(item.period, item.period) for item in members]
    label = " và ".join(dict.fromkeys(labels))
    if not dated:
        if first.period != "ad-hoc":
            review[:] = [note for note in review if note != NO_DATE]  # said again below, with what to write
            review.append(
                f"the plan asks for this report ({label}) without a date: the schedule is 'ad-hoc' until "
                f"the dates are written in (e.g. every: half-year, due: {{H1: dd/mm, Y: dd/mm}})"
            )
        return {"every": "ad-hoc"}, Rule.BY, label
    # Groups are keyed on having a date (_group_key), so every member is dated here: the first one's date.
    date = dated[0].date
    assert date is not None
    by_period = {item.period: item for item in dated}
    if set(by_period) <= {"H1", "H2", "Y"}:
        if set(by_period) == {"Y"}:
            return {"every": "year", "due": str(by_period["Y"].date)}, rule, label
        return {"every": "half-year", "due": {p: str(i.date) for p, i in by_period.items()}}, rule, label
    if first.period in ("Q", "M"):
        every = "quarter" if first.period == "Q" else "month"
        after = {"months_after": first.months_after} if first.months_after else {}
        return {"every": every, "day": date.day, **after}, rule, label
    if first.period == "once" and date.year and date.month:
        return {"every": "once", "due": str(date)}, rule, _kind_label(first, date)
    review.append(f"a one-off date without its year ({date}): the schedule is 'ad-hoc' until the year is written in")
    return {"every": "ad-hoc"}, Rule.BY, label


def _kind_label(item: Item, date) -> str:
    return {Kind.IMPLEMENTATION_PLAN: "kế hoạch triển khai", Kind.EVALUATION: "đánh giá kết quả"}.get(
        item.kind, "một lần"
    ) + f" {date}"


def _link_consolidations(obligations: list[DraftObligation]) -> None:
    """A coordinator's consolidated report consolidates the obligations whose reports reach it."""
    for obligation in obligations:
        if not obligation.items[0].consolidating:
            continue
        mine = set(obligation.data["reporters"])
        every = obligation.data["schedule"]["every"]
        linked = [
            other.data["id"]
            for other in obligations
            if other is not obligation
            and not other.items[0].consolidating
            and (
                other.data["schedule"]["every"] == every
                or {other.data["schedule"]["every"], every} == {"year", "half-year"}
            )
            and (other.data["recipient"] in mine or other.data.get("via") in mine)
        ]
        if linked:
            obligation.data["consolidates"] = linked


def _target(found: FoundTarget, ref) -> dict:
    data: dict = {"id": found.id, "text": found.text, "unit": found.unit}
    if found.op is not None and found.value is not None:
        data["goal"] = {"op": found.op, "value": found.value}
    if found.lead:
        data["lead"] = ref(found.lead)
    if found.partners:
        data["partners"] = [ref(name) for name in found.partners]
    return data


def _assignments(implementation, ref) -> list[dict]:
    """Each agency heading of the implementation section, with the first task the plan gives it."""
    out: dict[str, dict] = {}
    for sentence in implementation:
        agency = sentence.heading_agency
        # A group's heading ("UBND các xã, phường") is a task for each member: the config lists agencies, so the
        # coordinator expands it (the draft's obligations name the group).
        if agency and agency not in GROUP_KINDS and sentence.text != agency:
            agency_id = ref(agency)
            out.setdefault(agency_id, {"agency": agency_id, "quote": sentence.text})
    return list(out.values())


def _group_assignments(implementation) -> list[tuple[str, str]]:
    """The groups the implementation section gives tasks to under their own heading ("6. UBND các xã, phường")."""
    out: dict[str, str] = {}
    for sentence in implementation:
        kind = sentence.heading_agency
        if kind in GROUP_KINDS and sentence.text != kind:
            out.setdefault(kind, sentence.text)
    return list(out.items())


def pending_reviews(text: str) -> list[str]:
    """The '# REVIEW:' comments a saved draft still holds, each with its line number (``# NOTE:`` ones are
    decisions, not left to do)."""
    return review_points(text)


def _placeholder(source: str) -> dict:
    return {
        "id": "bao-cao",
        "title": "Báo cáo (điền vào)",
        "kind": "ad-hoc",
        "reporters": ["new.reporter"],
        "recipient": "new.recipient",
        "schedule": {"every": "ad-hoc"},
        "rule": "by",
        "quote": "(không tìm thấy điều khoản báo cáo)",
        "source": {"file": source},
    }


def _render(draft: Draft) -> str:
    """Commented YAML of the draft."""
    plan = draft.plan
    root = CommentedMap()
    for key, value in plan.items():
        if key in ("targets", "obligations", "assignments"):
            continue
        root[key] = _plain(value)
    header = [
        f"Draft of {draft.source}, made by `dondoc plans import` on {dt.date.today():%d/%m/%Y}.",
        "Settle every '# REVIEW:' below and delete it; `dondoc plans import --check <this file>` lists those",
        "left (exit 1 while any remains). Then save as config/plans/<id>.yaml and run `dondoc plans check`.",
    ]
    header += [f"REVIEW: {note}" for note in draft.review]
    if draft.new_agencies:
        header.append("Agencies not in config/agencies (add them there, or change the ids below):")
        header += [f'  - id: {m.id}\n#     name: "{m.name}"' for m in draft.new_agencies]
    root.yaml_set_start_comment("\n".join(header))
    if "targets" in plan:
        seq = CommentedSeq()
        for index, (data, found) in enumerate(zip(plan["targets"], draft.targets, strict=True)):
            seq.append(_plain(data))
            if found.review:
                seq.yaml_set_comment_before_after_key(
                    index, before="\n".join(f"REVIEW: {r}" for r in found.review), indent=2
                )
        root["targets"] = seq
    if "assignments" in plan:
        root["assignments"] = CommentedSeq(_plain(a) for a in plan["assignments"])
    obligations = CommentedSeq()
    for index, data in enumerate(plan["obligations"]):
        obligations.append(_plain(data))
        if index < len(draft.obligations):
            drafted = draft.obligations[index]
            lines = [f"confidence {drafted.confidence:.2f}"] + [f"REVIEW: {note}" for note in drafted.review]
            obligations.yaml_set_comment_before_after_key(index, before="\n".join(lines), indent=2)
    root["obligations"] = obligations
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(root, buffer)
    return buffer.getvalue()


def _plain(value):
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _plain(item)
        if set(value) <= {"file", "section", "start", "end", "op", "value"} or "every" in value:
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_plain(v) for v in value)
        if all(isinstance(v, str) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value
