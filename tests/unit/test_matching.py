"""Matching evidence to a deadline; who may speak for an agency; requests vs reports."""

from dondoc.matching import (
    Evidence,
    asks_question,
    decide,
    needs_authentication,
    sender_allowed,
    strip_quoted,
    wants_time,
)

AGENCY_OF = {1: "a", 2: "a", 3: "b"}


def test_the_strongest_evidence_wins_and_disagreement_is_suspicious():
    assert decide(Evidence(token=1, thread=1, tag=1), AGENCY_OF).method == "token"
    assert decide(Evidence(thread=2, tag=2), AGENCY_OF).method == "thread"
    assert decide(Evidence(tag=3), AGENCY_OF).deadline == 3
    assert decide(Evidence(sender_open=(2,)), AGENCY_OF).method == "sender"
    suspicious = decide(Evidence(token=1, tag=3), AGENCY_OF)
    assert suspicious.deadline is None and suspicious.reason == "evidence disagrees (token → DD-1, tag → DD-3)"
    assert decide(Evidence(sender_open=(1, 2)), AGENCY_OF).reason.endswith("ambiguous")
    assert decide(Evidence(tag=99), AGENCY_OF).reason == "DD-99 is not a known deadline"
    assert decide(Evidence(), AGENCY_OF).deadline is None


def test_sender_must_be_a_contact_or_at_the_agency_domain():
    contacts = {"vanthu@syt.example.org"}
    assert sender_allowed("VanThu@syt.example.org", contacts, None)
    assert sender_allowed("giamdoc@syt.example.org", set(), "syt.example.org")
    assert sender_allowed("x@mail.syt.example.org", set(), "syt.example.org")
    assert not sender_allowed("x@evilsyt.example.org", set(), "syt.example.org")
    assert not sender_allowed(None, contacts, "syt.example.org")


def test_own_words_and_requests():
    text = "Xin gửi báo cáo.\n\nVào Thứ Hai, Sở LĐTBXH đã viết:\n> Đề nghị xin gia hạn\n> ..."
    assert strip_quoted(text) == "Xin gửi báo cáo."
    assert wants_time("Re: [DD-1] Nhắc hạn", "UBND huyện XIN GIA HẠN đến 30/5")
    assert wants_time("Đề nghị cho phép nộp chậm báo cáo", "")
    assert not wants_time("Re: [DD-1]", strip_quoted(text))
    assert asks_question("Biểu mẫu điền theo số liệu đến ngày nào?", 0)
    assert not asks_question("Biểu mẫu điền theo số liệu đến ngày nào?", 1)


def test_sender_index_agrees_with_sender_allowed():
    from dondoc.matching import SenderIndex

    rules = {
        "syt": ({"vanthu@syt.example.org"}, None),
        "sgd": (set(), "sgd.example.org"),
        "both": ({"chung@example.com"}, "syt.example.org"),
        "none": (set(), None),
    }
    index = SenderIndex(rules)
    for address in (
        "VanThu@syt.example.org",
        "x@mail.sgd.example.org",
        "x@evilsgd.example.org",
        "x@syt.example.org",
        "chung@example.com",
        "nobody@example.net",
        "",
        None,
        "no-at-sign",
    ):
        expected = [a for a, (contacts, domain) in rules.items() if sender_allowed(address, contacts, domain)]
        assert index.agencies_of(address) == expected, address


def test_only_the_token_proves_the_sender():
    assert not needs_authentication("token")
    assert all(needs_authentication(method) for method in ("thread", "tag", "sender", None))
