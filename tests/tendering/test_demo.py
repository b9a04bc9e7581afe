"""The tendering demo story, told against a gateway served on loopback (real clock)."""

from __future__ import annotations

import io

from gateway.app import create_app
from gateway.bootstrap import bootstrap
from gateway.demo import DemoContext
from gateway.settings import Settings
from tendering import demo
from tests.support.live import serve_in_thread


def test_the_story_runs_from_notice_to_contract_and_hands_the_contract_on(
    tender_settings: Settings,
) -> None:
    container = bootstrap(tender_settings)  # the wall clock: the story waits for its deadline
    out = io.StringIO()
    with serve_in_thread(create_app(container, mount_sandbox=False)) as url:
        ctx = DemoContext(base_url=url, container=container, out=out)
        ctx.begin_story("tendering", demo.TITLE)
        demo.story(ctx)
    summary = ctx.summary()
    assert summary["ok"], out.getvalue()
    text = out.getvalue()
    assert "tender status: contract_signed" in text
    assert "a bid one second after the deadline: 409" in text
    handed = ctx.data["contract"]
    assert handed["lines"] and handed["supplier"].keys["supplier"] and handed["buyer"].keys["buyer"]
    assert handed["value"] and handed["currency"] == "DKK"
