// A branch head's day, through a client generated from openapi/openapi.json: log in, register
// a member, hold a meeting and record its roster, sync the changes to the device, and read the
// commune's KPIs. Every call is type-checked against the contract (`npm run check`) and then run
// against a live server (CHIHOI_URL, CHIHOI_USERNAME, CHIHOI_PASSWORD of an administrator).
import createClient from "openapi-fetch";
import { randomUUID } from "node:crypto";

import type { components, paths } from "./schema.js";

type KpiReport = components["schemas"]["KpiReport"];

function isKpiReport(body: unknown): body is KpiReport {
  return typeof body === "object" && body !== null && "unit" in body && "children" in body;
}

const base = process.env.CHIHOI_URL ?? "http://127.0.0.1:8080";
const username = process.env.CHIHOI_USERNAME ?? "admin";
const password = process.env.CHIHOI_PASSWORD ?? "";

function fail(step: string, detail: unknown): never {
  console.error(`scenario failed at ${step}:`, JSON.stringify(detail));
  process.exit(1);
}

function check(step: string, ok: boolean, detail: unknown): void {
  if (!ok) fail(step, detail);
}

const anonymous = createClient<paths>({ baseUrl: base });
const login = await anonymous.POST("/api/v1/auth/login", { body: { username, password } });
if (!login.data) fail("login", login.error);
const api = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${login.data.access_token}` } });

const me = await api.GET("/api/v1/me");
if (!me.data) fail("me", me.error);
const root = me.data.roles.find((r) => r.role === "admin")?.org_unit_id;
if (!root) fail("admin role", me.data.roles);

// A small tree of our own, so the scenario runs on any database.
const suffix = randomUUID().slice(0, 8);
async function unit(parent: string, level: string, name: string): Promise<string> {
  const made = await api.POST("/api/v1/org-units", {
    body: { parent_id: parent, level, name: `${name} ${suffix}`, valid_from: "2020-01-01" },
    headers: { "Idempotency-Key": randomUUID() },
  });
  if (!made.data) fail(`create ${level}`, made.error);
  return made.data.id;
}
const province = await unit(root, "province", "Tỉnh kịch bản");
const commune = await unit(province, "commune", "Xã kịch bản");
const branch = await unit(commune, "branch", "Chi hội kịch bản");

// The first sync: a snapshot of an empty branch, and a cursor to keep.
let cursor: string | undefined;
for (;;) {
  const page = await api.GET("/api/v1/sync/changes", { params: { query: { cursor, limit: 200, types: "members" } } });
  if (!page.data) fail("sync snapshot", page.error);
  cursor = page.data.next_cursor;
  if (!page.data.has_more) break;
}

// A member made offline with the app's own id, pushed later with an Idempotency-Key.
const v7 = uuidv7();
const registered = await api.POST("/api/v1/members", {
  body: {
    id: v7,
    family_name: "Nguyễn",
    middle_name: "Thị",
    given_name: "Kịch Bản",
    birth_year: 1988,
    joined_on: "2024-03-08",
    unit_id: branch,
  },
  headers: { "Idempotency-Key": randomUUID() },
});
if (!registered.data) fail("register", registered.error);
check("own id kept", registered.data.id === v7, { registered: registered.data.id, v7 });

// A meeting this month and its roster. The server's day is Vietnam's (UTC+7); a meeting at its
// midnight has begun whatever the hour.
const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
const meeting = await api.POST("/api/v1/activities", {
  body: { unit_id: branch, kind: "monthly_meeting", starts_at: `${today}T00:00:00+07:00`, title: "Sinh hoạt tháng" },
  headers: { "Idempotency-Key": randomUUID() },
});
if (!meeting.data) fail("meeting", meeting.error);
const roster = await api.PUT("/api/v1/activities/{id}/attendance", {
  params: { path: { id: meeting.data.id } },
  body: { entries: [{ member_id: v7, status: "present" }] },
});
if (!roster.data) fail("roster", roster.error);
check("roster", roster.data.summary.present === 1, roster.data.summary);

// The device catches up: the new member is in the changes.
const changes = await api.GET("/api/v1/sync/changes", { params: { query: { cursor, types: "members,attendance" } } });
if (!changes.data) fail("sync changes", changes.error);
const seen = changes.data.changes.some((c) => c.type === "members" && c.id === v7 && c.op === "upsert");
check("member synced", seen, changes.data.changes);
const sheet = changes.data.changes.some((c) => c.type === "attendance" && c.id === meeting.data.id);
check("roster synced", sheet, changes.data.changes);

// The commune's figures for this month, live.
const month = today.slice(0, 7);
const kpis = await api.GET("/api/v1/reports/kpis", { params: { query: { unit: commune, period: month } } });
// Without the deprecated `format` the answer is JSON (files: /reports/kpis/export); the
// operation still lists its old file types, so the body is narrowed to the report here.
const report = kpis.data;
if (!isKpiReport(report)) fail("kpis", kpis.error ?? report);
check("members counted", report.unit.members.end === 1, report.unit.members);
check("meeting counted", report.unit.engagement.meetings === 1, report.unit.engagement);
const file = await api.GET("/api/v1/reports/kpis/export", {
  params: { query: { unit: commune, period: month, format: "csv" } },
  parseAs: "text",
});
check("kpis as csv", typeof file.data === "string" && file.data.includes("Mã chỉ tiêu"), file.error);
console.log(`scenario passed: member ${v7}, meeting ${meeting.data.id}, KPIs of ${report.unit.unit_name} for ${month}`);

/** A UUID version 7 (RFC 9562): 48-bit milliseconds, version, random. */
function uuidv7(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
