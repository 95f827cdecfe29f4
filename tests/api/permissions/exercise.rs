//! One request per operation of the matrix, aimed at an object of a place.

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use super::fixture::{Fixture, Place};
use crate::helpers::{As, PASSWORD};

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid::Uuid::now_v7().simple().to_string()[20..])
}

/// Performs `op` on `place` (ignored by operations without a target); returns the status.
pub async fn exercise(who: &As<'_>, op: &str, place: &Place, fixture: &Fixture) -> StatusCode {
    let p = place;
    let response = match op {
        "get_me" => who.get("/api/v1/me").await,
        "list_org_units" => who.get(&format!("/api/v1/org-units?within={}", p.unit)).await,
        "get_org_unit" => who.get(&format!("/api/v1/org-units/{}", p.unit)).await,
        "create_org_unit" => {
            who.post_json(
                "/api/v1/org-units",
                &json!({"parent_id": p.unit, "level": p.child_level, "name": unique("unit")}),
            )
            .await
        }
        "list_users" => who.get(&format!("/api/v1/users?unit={}", p.unit)).await,
        "get_user" => who.get(&format!("/api/v1/users/{}", p.resident)).await,
        "create_user" => {
            let body = json!({"username": unique("new"), "display_name": "Mới", "home_unit_id": p.unit, "password": PASSWORD, "must_change_password": false});
            who.post_json("/api/v1/users", &body).await
        }
        "update_user" => {
            who.patch_json(&format!("/api/v1/users/{}", p.resident), Some("*"), &json!({"display_name": "Đã đổi tên"}))
                .await
        }
        "reset_user_password" => {
            who.post_json(
                &format!("/api/v1/users/{}/password", p.resident),
                &json!({"new_password": "Mật khẩu mới đặt lại 2026", "must_change_password": false}),
            )
            .await
        }
        "list_user_roles" => who.get(&format!("/api/v1/users/{}/roles", p.resident)).await,
        "create_user_role" => {
            who.post_json(
                &format!("/api/v1/users/{}/roles", p.resident),
                &json!({"role": "group_leader", "org_unit_id": p.unit}),
            )
            .await
        }
        "delete_user_role" => {
            who.delete(&format!("/api/v1/users/{}/roles/{}", p.resident, p.resident_grant), None).await
        }
        "list_api_tokens" => who.get("/api/v1/api-tokens").await,
        "create_api_token" => {
            who.post_json("/api/v1/api-tokens", &json!({"name": unique("token"), "scopes": ["org_units:read"]})).await
        }
        "delete_api_token" => {
            let created = who
                .post_json("/api/v1/api-tokens", &json!({"name": unique("to-delete"), "scopes": ["org_units:read"]}))
                .await;
            let id = created
                .json::<Value>()
                .await
                .ok()
                .and_then(|b| b["id"].as_str().map(str::to_owned))
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            who.delete(&format!("/api/v1/api-tokens/{id}"), None).await
        }
        "list_machine_clients" => who.get("/api/v1/machine-clients").await,
        "create_machine_client" => {
            who.post_json("/api/v1/machine-clients", &json!({"name": unique("client"), "org_unit_id": p.unit})).await
        }
        "get_machine_client" => who.get(&format!("/api/v1/machine-clients/{}", p.client)).await,
        "update_machine_client" => {
            who.patch_json(&format!("/api/v1/machine-clients/{}", p.client), Some("*"), &json!({"name": "Đổi tên"}))
                .await
        }
        "create_machine_client_secret" => {
            who.post_json(&format!("/api/v1/machine-clients/{}/secret", p.client), &json!({})).await
        }
        "list_oauth_apps" => who.get("/api/v1/oauth-apps").await,
        "create_oauth_app" => {
            who.post_json(
                "/api/v1/oauth-apps",
                &json!({"client_name": unique("app"), "owner": "Matrix", "org_unit_id": p.unit,
                        "redirect_uris": ["https://app.example.vn/cb"], "scope": "members:read"}),
            )
            .await
        }
        "get_oauth_app" => who.get(&format!("/api/v1/oauth-apps/{}", p.oauth_app)).await,
        "update_oauth_app" => {
            who.patch_json(
                &format!("/api/v1/oauth-apps/{}", p.oauth_app),
                Some("*"),
                &json!({"client_name": "Đổi tên"}),
            )
            .await
        }
        "create_oauth_app_secret" => {
            who.post_json(&format!("/api/v1/oauth-apps/{}/secret", p.oauth_app), &json!({})).await
        }
        "list_oauth_app_authorizations" => who.get(&format!("/api/v1/oauth-apps/{}/authorizations", p.oauth_app)).await,
        "delete_oauth_app" => who.delete(&format!("/api/v1/oauth-apps/{}", p.oauth_app), None).await,
        "list_my_authorized_apps" => who.get("/api/v1/me/authorized-apps").await,
        "delete_my_authorized_app" => {
            // She allowed the place's app (a consent as the sign-in pages would record it).
            let me: Value = who.get("/api/v1/me").await.json().await.unwrap_or_default();
            if let Some(user) = me["user"]["id"].as_str() {
                use diesel_async::RunQueryDsl;
                let mut db = who.app.db().await;
                diesel::sql_query(
                    "INSERT INTO oauth_consents (user_id, app_id, scopes) VALUES ($1, $2, '{members:read}')
                     ON CONFLICT DO NOTHING",
                )
                .bind::<diesel::sql_types::Uuid, _>(user.parse::<uuid::Uuid>().unwrap())
                .bind::<diesel::sql_types::Uuid, _>(p.oauth_app.parse::<uuid::Uuid>().unwrap())
                .execute(&mut db)
                .await
                .unwrap();
            }
            who.delete(&format!("/api/v1/me/authorized-apps/{}", p.oauth_app), None).await
        }
        "list_audit_events" => who.get(&format!("/api/v1/audit-events?org_unit_id={}", p.unit)).await,
        "list_settings" => who.get("/api/v1/settings").await,
        "get_setting" => who.get("/api/v1/settings/test.matrix").await,
        "create_setting" => {
            who.post_json("/api/v1/settings", &json!({"key": unique("test.created").replace('-', "_"), "value": 1}))
                .await
        }
        "update_setting" => who.patch_json("/api/v1/settings/test.matrix", Some("*"), &json!({"value": 2})).await,
        "delete_setting" => who.delete("/api/v1/settings/test.matrix", Some("*")).await,
        "delete_session" => who.post_json("/api/v1/auth/logout", &json!({})).await,
        "update_my_password" => {
            who.post_json(
                "/api/v1/me/password",
                &json!({"current_password": PASSWORD, "new_password": "Đổi mật khẩu của chính mình"}),
            )
            .await
        }
        "get_my_member" => who.get("/api/v1/me/member").await,
        "update_my_member" => who.patch_json("/api/v1/me/member", Some("*"), &json!({"phone": "0912 000 111"})).await,
        "list_my_member_events" => who.get("/api/v1/me/member/events").await,
        "create_my_data_request" => who.post_json("/api/v1/me/data-requests", &json!({"kind": "export"})).await,
        "list_members" => who.get(&format!("/api/v1/members?unit={}", p.unit)).await,
        "create_member" => {
            let body = json!({"family_name": "Lê", "middle_name": "Thị", "given_name": "Mới", "birth_year": 1990,
                              "joined_on": "2026-01-01", "unit_id": p.home});
            who.post_json("/api/v1/members", &body).await
        }
        "get_member" => who.get(&format!("/api/v1/members/{}", p.member)).await,
        "update_member" => {
            who.patch_json(&format!("/api/v1/members/{}", p.member), Some("*"), &json!({"address": "Ấp Rẫy"})).await
        }
        "export_members" => who.get(&format!("/api/v1/members/export?unit={}", p.unit)).await,
        "list_member_events" => who.get(&format!("/api/v1/members/{}/events", p.member)).await,
        "create_member_event" => {
            // Leaving ends her membership: a member of her own, made for this.
            let admin = who.app.admin().await;
            let leaver = super::fixture::member(&admin, &p.home, 7).await;
            who.post_json(
                &format!("/api/v1/members/{leaver}/events"),
                &json!({"kind": "leave", "occurred_on": "2026-01-15", "reason": "Đi làm xa"}),
            )
            .await
        }
        "list_member_contacts" => who.get(&format!("/api/v1/members/{}/contacts", p.member)).await,
        "create_member_contact" => {
            who.post_json(&format!("/api/v1/members/{}/contacts", p.member), &json!({"method": "home_visit"})).await
        }
        "list_member_needs" => who.get(&format!("/api/v1/members/{}/needs", p.member)).await,
        "create_member_need" => {
            who.post_json(
                &format!("/api/v1/members/{}/needs", p.member),
                &json!({"kind": "health", "description": "Khám bệnh"}),
            )
            .await
        }
        "update_need" => {
            who.patch_json(&format!("/api/v1/needs/{}", p.need), Some("*"), &json!({"description": "Vay 20 triệu"}))
                .await
        }
        "get_member_photo" => who.get(&format!("/api/v1/members/{}/photo", p.member)).await,
        "replace_member_photo" => {
            let png: Vec<u8> = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64][..]].concat();
            who.request(Method::PUT, &format!("/api/v1/members/{}/photo", p.member))
                .header("content-type", "image/png")
                .body(png)
                .send()
                .await
                .unwrap()
        }
        "delete_member_photo" => who.delete(&format!("/api/v1/members/{}/photo", p.member), None).await,
        "get_member_personal_data" => who.get(&format!("/api/v1/members/{}/personal-data", p.member)).await,
        "get_my_personal_data" => who.get("/api/v1/me/personal-data").await,
        "create_member_erasure" => {
            who.post_json(&format!("/api/v1/members/{}/erasure", p.former), &json!({"reason": "Theo đơn"})).await
        }
        "list_member_consents" => who.get(&format!("/api/v1/members/{}/consents", p.member)).await,
        "create_member_consent" => {
            who.post_json(
                &format!("/api/v1/members/{}/consents", p.member),
                &json!({"purpose": "photo", "legal_basis": "consent", "granted": true}),
            )
            .await
        }
        "run_privacy_retention" => who.post_json("/api/v1/privacy/retention/run", &json!({})).await,
        "get_member_profile" => who.get(&format!("/api/v1/members/{}/profile", p.member)).await,
        "replace_member_profile" => who
            .request(Method::PUT, &format!("/api/v1/members/{}/profile", p.member))
            .header("If-Match", "*")
            .json(&json!({"poverty_status": "near_poor", "circumstances": ["single_mother"]}))
            .send()
            .await
            .unwrap(),
        "list_member_profile_revisions" => who.get(&format!("/api/v1/members/{}/profile/revisions", p.member)).await,
        "create_member_transfer" => {
            who.post_json(
                &format!("/api/v1/members/{}/transfers", p.mover),
                &json!({"to_unit_id": p.incoming_from, "reason": "Theo chồng"}),
            )
            .await
        }
        "list_transfers" => who.get("/api/v1/transfers?direction=incoming").await,
        "get_transfer" => who.get(&format!("/api/v1/transfers/{}", p.incoming[0])).await,
        "accept_transfer" => who.post_json(&format!("/api/v1/transfers/{}/accept", p.incoming[0]), &json!({})).await,
        "reject_transfer" => {
            who.post_json(&format!("/api/v1/transfers/{}/reject", p.incoming[1]), &json!({"reason": "Chưa đủ hồ sơ"}))
                .await
        }
        "cancel_transfer" => who.post_json(&format!("/api/v1/transfers/{}/cancel", p.outgoing), &json!({})).await,
        "list_prospects" => who.get(&format!("/api/v1/prospects?unit={}", p.unit)).await,
        "create_prospect" => {
            let body = json!({"family_name": "Phạm", "middle_name": "Thị", "given_name": "Xuân", "birth_year": 2001,
                              "unit_id": p.home});
            who.post_json("/api/v1/prospects", &body).await
        }
        "get_prospect" => who.get(&format!("/api/v1/prospects/{}", p.prospect)).await,
        "update_prospect" => {
            who.patch_json(&format!("/api/v1/prospects/{}", p.prospect), Some("*"), &json!({"address": "Ấp Tân"})).await
        }
        "convert_prospect" => {
            who.post_json(&format!("/api/v1/prospects/{}/convert", p.prospect), &json!({"joined_on": "2026-03-08"}))
                .await
        }
        "get_member_import_template" => who.get("/api/v1/imports/members/template").await,
        "create_member_import" => import(who, p, fixture).await,
        "list_jobs" => who.get("/api/v1/jobs").await,
        "get_job" => {
            // Her own job if she may start one here; otherwise the administrator's.
            let started = import(who, p, fixture).await;
            let job = if started.status() == StatusCode::ACCEPTED {
                started.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
            } else {
                fixture.foreign_job.clone()
            };
            who.get(&format!("/api/v1/jobs/{job}")).await
        }
        "cancel_job" => {
            // A running job of hers (a copy of the one she started, which nothing runs, so it
            // is still running when cancelled); otherwise the administrator's.
            let started = import(who, p, fixture).await;
            let job = if started.status() == StatusCode::ACCEPTED {
                let started = started.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
                let held = uuid::Uuid::now_v7();
                use diesel_async::RunQueryDsl;
                diesel::sql_query(format!(
                    "INSERT INTO jobs (id, kind, status, owner_id) SELECT '{held}', kind, 'running', owner_id FROM jobs WHERE id = '{started}'"
                ))
                .execute(&mut who.app.db().await)
                .await
                .unwrap();
                held.to_string()
            } else {
                fixture.foreign_job.clone()
            };
            who.request(Method::POST, &format!("/api/v1/jobs/{job}/cancel")).send().await.unwrap()
        }
        "get_org_unit_history" => who.get(&format!("/api/v1/org-units/{}/history", p.unit)).await,
        "get_org_unit_member_summary" => who.get(&format!("/api/v1/org-units/{}/member-summary", p.unit)).await,
        "list_org_unit_population" => who.get(&format!("/api/v1/org-units/{}/population", p.unit)).await,
        "create_org_unit_population" => {
            who.post_json(
                &format!("/api/v1/org-units/{}/population", p.unit),
                &json!({"as_of": "2025-01-01", "women_18_plus": 90, "source": "Thống kê"}),
            )
            .await
        }
        "update_org_unit_population" => {
            who.patch_json(
                &format!("/api/v1/org-units/{}/population/2026-01-01", p.unit),
                Some("*"),
                &json!({"women_18_plus": 120}),
            )
            .await
        }
        "list_org_unit_positions" => who.get(&format!("/api/v1/org-units/{}/positions", p.unit)).await,
        "create_org_unit_position" => {
            who.post_json(
                &format!("/api/v1/org-units/{}/positions", p.unit),
                &json!({"member_id": p.member, "kind": "vice_chair", "started_on": "2025-01-01"}),
            )
            .await
        }
        "update_position" => {
            who.patch_json(&format!("/api/v1/positions/{}", p.position), Some("*"), &json!({"ended_on": "2026-01-31"}))
                .await
        }
        "rename_org_unit" => {
            who.post_json(
                &format!("/api/v1/org-units/{}/rename", p.unit),
                &json!({"name": unique("Tên mới"), "effective_on": "2025-07-01"}),
            )
            .await
        }
        "move_org_unit" => {
            let (unit, parent) = &p.to_move;
            who.post_json(
                &format!("/api/v1/org-units/{unit}/move"),
                &json!({"parent_id": parent, "effective_on": "2025-07-01"}),
            )
            .await
        }
        "close_org_unit" => {
            who.post_json(&format!("/api/v1/org-units/{}/close", p.to_close), &json!({"effective_on": "2025-07-01"}))
                .await
        }
        "merge_org_unit" => {
            who.post_json(
                &format!("/api/v1/org-units/{}/merge", p.merge_target),
                &json!({"sources": [p.merge_source], "effective_on": "2025-07-01"}),
            )
            .await
        }
        "split_org_unit" => {
            who.post_json(
                &format!("/api/v1/org-units/{}/split", p.to_split),
                &json!({"effective_on": "2025-07-01", "parts": [{"name": "Phần 1"}, {"name": "Phần 2"}]}),
            )
            .await
        }
        "list_pair_kinds" => who.get("/api/v1/pair-kinds").await,
        "create_pair_kind" => {
            let code = unique("kind").replace('-', "_");
            who.post_json(
                "/api/v1/pair-kinds",
                &json!({"code": code, "name_vi": "Mới", "name_en": "New",
                                                       "mentor_type": "member", "mentee_type": "member"}),
            )
            .await
        }
        "update_pair_kind" => {
            who.patch_json("/api/v1/pair-kinds/matrix_plain", Some("*"), &json!({"name_en": "Plain"})).await
        }
        "list_pairs" => who.get(&format!("/api/v1/pairs?unit={}", p.unit)).await,
        "create_pair" => {
            who.post_json(
                "/api/v1/pairs",
                &json!({"kind": "matrix_plain", "mentor_id": p.member, "mentee_id": p.mentee}),
            )
            .await
        }
        "get_pair" => who.get(&format!("/api/v1/pairs/{}", p.pair)).await,
        "update_pair" => {
            who.patch_json(&format!("/api/v1/pairs/{}", p.pair), Some("*"), &json!({"goal": "Mục tiêu mới"})).await
        }
        "record_pair_stage" => {
            who.post_json(
                &format!("/api/v1/pairs/{}/stage", p.pair),
                &json!({"stage": "second", "reached_on": "2025-06-01"}),
            )
            .await
        }
        "close_pair" => {
            who.post_json(
                &format!("/api/v1/pairs/{}/close", p.pair_to_close),
                &json!({"status": "ended", "outcome": "Kết thúc"}),
            )
            .await
        }
        "list_pair_checkins" => who.get(&format!("/api/v1/pairs/{}/checkins", p.pair)).await,
        "create_pair_checkin" => {
            who.post_json(&format!("/api/v1/pairs/{}/checkins", p.pair), &json!({"note": "Gặp nhau hằng tuần"})).await
        }
        "list_member_pairs" => who.get(&format!("/api/v1/members/{}/pairs", p.member)).await,
        "list_support_kinds" => who.get("/api/v1/support-kinds").await,
        "create_support_kind" => {
            let code = unique("kind").replace('-', "_");
            who.post_json(
                "/api/v1/support-kinds",
                &json!({"code": code, "name_vi": "Mới", "name_en": "New", "measure": "money"}),
            )
            .await
        }
        "update_support_kind" => {
            who.patch_json("/api/v1/support-kinds/grant", Some("*"), &json!({"name_en": "Cash grant"})).await
        }
        "list_support" => who.get(&format!("/api/v1/support?unit={}", p.unit)).await,
        "create_support" => {
            who.post_json(
                "/api/v1/support",
                &json!({"member_id": p.member, "kind": "grant", "amount_vnd": 200000, "source": "union_fund"}),
            )
            .await
        }
        "get_support" => who.get(&format!("/api/v1/support/{}", p.support)).await,
        "update_support" => {
            who.patch_json(&format!("/api/v1/support/{}", p.support), Some("*"), &json!({"follow_up": "Thăm lại"}))
                .await
        }
        "list_support_revisions" => who.get(&format!("/api/v1/support/{}/revisions", p.support)).await,
        "get_member_support" => who.get(&format!("/api/v1/members/{}/support", p.member)).await,
        "list_activity_kinds" => who.get("/api/v1/activity-kinds").await,
        "create_activity_kind" => {
            let code = unique("kind").replace('-', "_");
            who.post_json("/api/v1/activity-kinds", &json!({"code": code, "name_vi": "Mới", "name_en": "New"})).await
        }
        "list_activities" => who.get(&format!("/api/v1/activities?unit={}", p.unit)).await,
        "create_activity" => {
            let body = json!({"unit_id": p.home, "kind": "thematic_meeting", "starts_at": "2026-02-10T08:00:00+07:00",
                              "title": "Chuyên đề"});
            who.post_json("/api/v1/activities", &body).await
        }
        "get_activity" => who.get(&format!("/api/v1/activities/{}", p.activity)).await,
        "update_activity" => {
            who.patch_json(&format!("/api/v1/activities/{}", p.activity), Some("*"), &json!({"topic": "Chủ đề mới"}))
                .await
        }
        "get_activity_attendance" => who.get(&format!("/api/v1/activities/{}/attendance", p.activity)).await,
        "replace_activity_attendance" => who
            .request(Method::PUT, &format!("/api/v1/activities/{}/attendance", p.activity))
            .json(&json!({"entries": [{"member_id": p.member, "status": "present"}]}))
            .send()
            .await
            .unwrap(),
        "update_activity_attendance" => {
            who.patch_json(
                &format!("/api/v1/activities/{}/attendance/{}", p.activity, p.member),
                None,
                &json!({"status": "excused"}),
            )
            .await
        }
        "list_activity_pledges" => who.get(&format!("/api/v1/activities/{}/pledges", p.activity)).await,
        "create_activity_pledge" => {
            who.post_json(&format!("/api/v1/activities/{}/pledges", p.activity), &json!({"description": "Mượn loa"}))
                .await
        }
        "list_member_attendance" => who.get(&format!("/api/v1/members/{}/attendance", p.member)).await,
        "list_my_attendance" => who.get("/api/v1/me/member/attendance").await,
        "list_org_unit_absentees" => who.get(&format!("/api/v1/org-units/{}/absentees", p.home)).await,
        "get_org_unit_three_haves" => {
            who.get(&format!("/api/v1/org-units/{}/three-haves?from=2026-01&to=2026-03", p.unit)).await
        }
        "list_org_unit_channels" => who.get(&format!("/api/v1/org-units/{}/channels", p.unit)).await,
        "replace_org_unit_channels" => who
            .request(Method::PUT, &format!("/api/v1/org-units/{}/channels", p.unit))
            .json(&json!({"channels": [{"platform": "zalo", "name": "Nhóm", "url": "https://zalo.me/g/x"}]}))
            .send()
            .await
            .unwrap(),
        "list_member_channel_consents" => who.get(&format!("/api/v1/members/{}/channel-consents", p.member)).await,
        "replace_member_channel_consents" => who
            .request(Method::PUT, &format!("/api/v1/members/{}/channel-consents", p.member))
            .json(&json!({"consents": [{"platform": "zalo", "consented": true}]}))
            .send()
            .await
            .unwrap(),
        "replace_my_channel_consents" => who
            .request(Method::PUT, "/api/v1/me/member/channel-consents")
            .json(&json!({"consents": [{"platform": "zalo", "consented": false}]}))
            .send()
            .await
            .unwrap(),
        "create_pioneer_designation" => {
            who.post_json(
                &format!("/api/v1/members/{}/pioneer-designations", p.member),
                &json!({"reason": "Gương mẫu"}),
            )
            .await
        }
        "close_pioneer_designation" => {
            who.post_json(
                &format!("/api/v1/pioneer-designations/{}/end", p.designation),
                &json!({"reason": "Hết nhiệm kỳ"}),
            )
            .await
        }
        "list_org_unit_pioneers" => who.get(&format!("/api/v1/org-units/{}/pioneers", p.unit)).await,
        "list_member_pioneer_designations" => {
            who.get(&format!("/api/v1/members/{}/pioneer-designations", p.member)).await
        }
        "list_fund_entries" => who.get(&format!("/api/v1/funds/{}/entries", p.unit)).await,
        "create_fund_entry" => {
            who.post_json(
                &format!("/api/v1/funds/{}/entries", p.unit),
                &json!({"category": "budget", "amount_vnd": 5000}),
            )
            .await
        }
        "update_fund_entry" => {
            who.patch_json(&format!("/api/v1/fund-entries/{}", p.fund_entry), Some("*"), &json!({"description": "Sửa"}))
                .await
        }
        "create_webhook" => {
            who.post_json(
                "/api/v1/webhooks",
                &json!({"unit_id": p.unit, "url": "http://127.0.0.1:9/hook", "events": ["member.joined"]}),
            )
            .await
        }
        "list_webhooks" => who.get("/api/v1/webhooks").await,
        "get_webhook" => who.get(&format!("/api/v1/webhooks/{}", p.webhook)).await,
        "update_webhook" => {
            who.patch_json(&format!("/api/v1/webhooks/{}", p.webhook), Some("*"), &json!({"status": "disabled"})).await
        }
        "list_webhook_deliveries" => who.get(&format!("/api/v1/webhooks/{}/deliveries", p.webhook)).await,
        "replay_webhook_delivery" => {
            who.post_json(&format!("/api/v1/webhook-deliveries/{}/replay", p.delivery), &json!({})).await
        }
        "delete_webhook" => who.delete(&format!("/api/v1/webhooks/{}", p.webhook), Some("*")).await,
        "run_batch" => {
            who.post_json("/api/v1/batch", &json!({"operations": [{"method": "GET", "path": "/api/v1/me"}]})).await
        }
        "list_sync_changes" => who.get("/api/v1/sync/changes?limit=5").await,
        "get_report_kpis" => who.get(&format!("/api/v1/reports/kpis?unit={}&period=2026-01", p.unit)).await,
        "export_report_kpis" => {
            who.get(&format!("/api/v1/reports/kpis/export?unit={}&period=2026-01&format=csv", p.unit)).await
        }
        "get_report_kpis_chart" => {
            who.get(&format!("/api/v1/reports/kpis/chart.svg?unit={}&period=2026-Q1", p.unit)).await
        }
        "get_report_scorecard" => who.get(&format!("/api/v1/reports/scorecard?unit={}&period=2026-01", p.unit)).await,
        "replace_org_unit_rating_scale" => who
            .request(Method::PUT, &format!("/api/v1/org-units/{}/rating-scales/2026", p.unit))
            .json(&json!({"levels": ["tot", "kha", "yeu"]}))
            .send()
            .await
            .unwrap(),
        "get_org_unit_rating" => who.get(&format!("/api/v1/org-units/{}/ratings/2025", p.unit)).await,
        "replace_org_unit_rating" => who
            .request(Method::PUT, &format!("/api/v1/org-units/{}/ratings/2025", p.rated))
            .json(&json!({"rating": "kha", "reason": "Kiểm tra quyền"}))
            .send()
            .await
            .unwrap(),
        "list_report_submissions" => who.get(&format!("/api/v1/report-submissions?unit={}", p.unit)).await,
        "create_report_submission" => {
            who.post_json("/api/v1/report-submissions", &json!({"unit_id": p.unit, "period": "2026-01"})).await
        }
        "get_report_submission" => who.get(&format!("/api/v1/report-submissions/{}", p.report_to_accept)).await,
        "create_report_adjustment" => {
            who.post_json(
                &format!("/api/v1/report-submissions/{}/adjustments", p.report_draft),
                &json!({"figure": "members.joins", "value": 3, "reason": "Nhập bổ sung"}),
            )
            .await
        }
        "submit_report_submission" => who
            .request(Method::POST, &format!("/api/v1/report-submissions/{}/submit", p.report_draft))
            .send()
            .await
            .unwrap(),
        "accept_report_submission" => {
            who.post_json(&format!("/api/v1/report-submissions/{}/accept", p.report_to_accept), &json!({})).await
        }
        "return_report_submission" => {
            who.post_json(
                &format!("/api/v1/report-submissions/{}/return", p.report_to_return),
                &json!({"reason": "Số liệu chưa khớp"}),
            )
            .await
        }
        "get_fund_balance" => who.get(&format!("/api/v1/funds/{}/balance", p.unit)).await,
        "list_fee_schedules" => who.get("/api/v1/fee-schedules").await,
        "create_fee_schedule" => {
            who.post_json(
                "/api/v1/fee-schedules",
                &json!({"unit_id": p.unit, "year": 2027, "period": "year", "amount_vnd": 24000}),
            )
            .await
        }
        "update_fee_schedule" => {
            who.patch_json(
                &format!("/api/v1/fee-schedules/{}", p.fee_schedule),
                Some("*"),
                &json!({"amount_vnd": 3000}),
            )
            .await
        }
        "create_fee_payments" => {
            who.post_json(
                "/api/v1/fee-payments",
                &json!({"unit_id": p.home, "year": 2026, "period_no": 1, "member_ids": [p.member]}),
            )
            .await
        }
        "list_member_fee_payments" => who.get(&format!("/api/v1/members/{}/fee-payments", p.member)).await,
        "list_org_unit_unpaid_fees" => {
            who.get(&format!("/api/v1/org-units/{}/unpaid-fees?year=2026&period_no=1", p.unit)).await
        }
        other => panic!("{other} is in the matrix but this test cannot exercise it yet: add it here"),
    };
    response.status()
}

/// A dry-run import of the template into the place's home.
async fn import(who: &As<'_>, p: &Place, fixture: &Fixture) -> Response {
    who.request(Method::POST, &format!("/api/v1/imports/members?unit={}&dry_run=true", p.home))
        .header("content-type", "text/csv")
        .body(fixture.import_file.clone())
        .send()
        .await
        .unwrap()
}
