"""A branch head's day through the Python client generated from openapi/openapi.json.

Log in, register a member with the app's own id, hold a meeting and record its roster, see
both in the device's sync, read the commune's KPIs and download them as a spreadsheet. The
script passes `mypy --strict` against the generated package, then runs against a live server
(CHIHOI_URL, CHIHOI_USERNAME, CHIHOI_PASSWORD of an administrator). Called by scripts/examples.
"""

from __future__ import annotations

import datetime
import os
import sys
import uuid
from typing import NoReturn, TypeVar

from chihoi_client import AuthenticatedClient, Client
from chihoi_client.api.activities import create_activity, replace_activity_attendance
from chihoi_client.api.auth import create_session
from chihoi_client.api.members import create_member
from chihoi_client.api.org_units import create_org_unit
from chihoi_client.api.reports import export_report_kpis, get_report_kpis
from chihoi_client.api.sync import list_sync_changes
from chihoi_client.api.users import get_me
from chihoi_client.models import (
    AttendanceSheet,
    AttendanceStatus,
    FileFormat,
    KpiReport,
    LoginRequest,
    Me,
    Member,
    NewActivity,
    NewMember,
    NewOrgUnit,
    OrgUnit,
    Role,
    Roster,
    RosterEntry,
    SyncOp,
    SyncPage,
    SyncType,
    TokenPair,
    Activity,
)
from chihoi_client.types import UNSET, Unset

T = TypeVar("T")
BASE = os.environ.get("CHIHOI_URL", "http://127.0.0.1:8080")
USERNAME = os.environ.get("CHIHOI_USERNAME", "admin")
PASSWORD = os.environ.get("CHIHOI_PASSWORD", "")
# The server's day is Vietnam's (UTC+7).
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))


def fail(step: str, detail: object) -> NoReturn:
    print(f"scenario failed at {step}: {detail!r}", file=sys.stderr)
    sys.exit(1)


def expect(step: str, answer: object, kind: type[T]) -> T:
    """The answer if it is the expected model; a problem (or nothing) fails the scenario."""
    if not isinstance(answer, kind):
        fail(step, answer)
    return answer


def check(step: str, ok: bool, detail: object) -> None:
    if not ok:
        fail(step, detail)


def key() -> str:
    return str(uuid.uuid4())


def uuid7() -> uuid.UUID:
    """A UUID version 7 (RFC 9562), as an offline app makes ids for what it creates."""
    millis = int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)
    raw = bytearray(millis.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70
    raw[8] = (raw[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(raw))


def main() -> None:
    anonymous = Client(base_url=BASE)
    tokens = expect(
        "login",
        create_session.sync(client=anonymous, body=LoginRequest(username=USERNAME, password=PASSWORD)),
        TokenPair,
    )
    api = AuthenticatedClient(base_url=BASE, token=tokens.access_token)

    me = expect("me", get_me.sync(client=api), Me)
    root = next((r.org_unit_id for r in me.roles if r.role == Role.ADMIN), None)
    if root is None:
        fail("admin role", me.roles)

    suffix = key()[:8]

    def unit(parent: uuid.UUID, level: str, name: str) -> uuid.UUID:
        body = NewOrgUnit(parent_id=parent, level=level, name=f"{name} {suffix}", valid_from=datetime.date(2020, 1, 1))
        made = expect(f"create {level}", create_org_unit.sync(client=api, body=body, idempotency_key=key()), OrgUnit)
        return made.id

    province = unit(root, "province", "Tỉnh kịch bản Python")
    commune = unit(province, "commune", "Xã kịch bản Python")
    branch = unit(commune, "branch", "Chi hội kịch bản Python")

    # The first sync: a snapshot, and the cursor to keep.
    cursor: str | Unset = UNSET
    while True:
        page = expect("sync snapshot", list_sync_changes.sync(client=api, cursor=cursor, limit=200, types="members"), SyncPage)
        cursor = page.next_cursor
        if not page.has_more:
            break

    # A member made offline with the app's own id, pushed later with an Idempotency-Key.
    own_id = uuid7()
    newcomer = NewMember(
        id=own_id,
        family_name="Trần",
        middle_name="Thị",
        given_name="Py Thon",
        birth_year=1990,
        joined_on=datetime.date(2024, 3, 8),
        unit_id=branch,
    )
    member = expect("register", create_member.sync(client=api, body=newcomer, idempotency_key=key()), Member)
    check("own id kept", member.id == own_id, (member.id, own_id))

    today = datetime.datetime.now(VIETNAM).date()
    meeting = expect(
        "meeting",
        create_activity.sync(
            client=api,
            body=NewActivity(
                unit_id=branch,
                kind="monthly_meeting",
                starts_at=datetime.datetime.combine(today, datetime.time(0, 0), tzinfo=VIETNAM),
                title="Sinh hoạt tháng",
            ),
            idempotency_key=key(),
        ),
        Activity,
    )
    roster = Roster(entries=[RosterEntry(member_id=own_id, status=AttendanceStatus.PRESENT)])
    sheet = expect(
        "roster", replace_activity_attendance.sync(client=api, id=meeting.id, body=roster), AttendanceSheet
    )
    check("roster", sheet.summary.present == 1, sheet.summary)

    # The device catches up: the member and the roster are in the changes.
    changes = expect(
        "sync changes", list_sync_changes.sync(client=api, cursor=cursor, types="members,attendance"), SyncPage
    )
    seen = any(c.type_ == SyncType.MEMBERS and c.id == own_id and c.op == SyncOp.UPSERT for c in changes.changes)
    check("member synced", seen, changes.changes)
    check("roster synced", any(c.type_ == SyncType.ATTENDANCE and c.id == meeting.id for c in changes.changes), changes.changes)

    # The commune's figures for this month, live, then as a spreadsheet.
    month = today.strftime("%Y-%m")
    report = expect("kpis", get_report_kpis.sync(client=api, unit=commune, period=month), KpiReport)
    check("members counted", report.unit.members.end == 1, report.unit.members)
    check("meeting counted", report.unit.engagement.meetings == 1, report.unit.engagement)
    xlsx = export_report_kpis.sync_detailed(client=api, unit=commune, period=month, format_=FileFormat.XLSX)
    check("kpis as xlsx", xlsx.status_code == 200 and xlsx.content[:2] == b"PK", xlsx.status_code)
    print(f"scenario passed: member {own_id}, meeting {meeting.id}, KPIs of {report.unit.unit_name} for {month}")


if __name__ == "__main__":
    main()
