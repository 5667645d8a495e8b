"""The timeline's rows say what each event did (tests/web and tests/flows read them on real cases; here the
events whose details a row used to leave out)."""
from datetime import datetime, timezone

from flask_babel import force_locale

from app.cases.queries import TimelineRow
from app.cases.timeline import present

AT = datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc)


def _row(typ, details, seq=1):
    return TimelineRow(seq, typ, AT, None, None, None, details, "", "", "hmac-sm3", None, None)


def _details(ctx, *rows):
    with ctx.test_request_context(), force_locale("zh_CN"):
        return [r["details"] for r in present(list(rows), {})]


def test_events_say_what_they_did(ctx):
    said = _details(
        ctx,
        _row("push_sent", {"subject": "某公司", "action": "suspend"}),
        _row("push_sent", {"subject": "某公司", "action": "resume"}),
        _row("punishment_suspended", {"subject": "某公司", "from": "2026-12-03", "source": "YY-2026-000006"}),
        _row("punishment_resumed", {"subject": "某公司", "from": "2026-12-05"}),
        _row("meeting_scheduled", {"meeting_date": "2026-12-11", "draw_id": 3}),
        _row("expert_invited", {"invitation_id": 1, "expert": "王专家", "field": "legal", "role": "member",
                                "respond_by": "2026-12-03T15:59:59+00:00"}),
        _row("data_submitted", {"unit_id": 9, "summary": "2"}),
        _row("unit_noticed", {"kind": "notice", "on_date": "2026-12-05", "text": "逾期"}),
        _row("listing_started", {"subject": "某公司", "period_start": "2026-12-01", "period_end": "2027-11-30", "period_days": 365}),
        _row("unit_noticed", {}),
    )
    suspend, resume, suspended, resumed, meeting, invited, submitted, noticed, listed, empty = said
    assert "暂停" in suspend and "恢复" in resume and suspend != resume
    assert suspended == "某公司 · 自 2026年12月3日 起（YY-2026-000006）" and resumed == "某公司 · 自 2026年12月5日 起"
    assert meeting == "会议日期 2026年12月11日"
    assert "专业领域: 法律" in invited and "答复期限 2026年12月3日 23:59" in invited and "王专家" not in invited
    assert submitted == "2 行"
    assert "2026年12月5日: 逾期" in noticed and "2026-12-05" not in noticed
    assert listed == "某公司 · 实施期限 2026年12月1日 – 2027年11月30日（365个自然日）"
    assert empty == ""  # (an event without details is not " · : ")
