"""Today is the service centre's day, not UTC's."""

from __future__ import annotations

import datetime as dt

from kefu.core import clock


def test_today_is_the_local_date_after_midnight_in_china() -> None:
    # 00:30 on 25 November in Shanghai is still 24 November in UTC.
    with clock.frozen_at(dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.UTC)):
        assert clock.today() == dt.date(2026, 11, 25)
    with clock.frozen_at(dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC)):
        assert clock.today() == dt.date(2026, 11, 24)
