//! Delta sync: a snapshot in pages, then changes with tombstones for members who move away; a
//! change committed late by a slow transaction is not skipped; concurrent writers lose nothing.

use std::collections::HashMap;

use diesel_async::SimpleAsyncConnection;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{As, assert_problem, spawn_app};
use crate::members::{member, tree};

/// Reads the feed from `cursor` until `has_more` is false; returns the entries and the cursor.
async fn drain(who: &As<'_>, cursor: Option<String>, limit: usize) -> (Vec<Value>, String) {
    let mut cursor = cursor;
    let mut entries = Vec::new();
    for _ in 0..500 {
        let url = match &cursor {
            Some(c) => format!("/api/v1/sync/changes?limit={limit}&cursor={c}"),
            None => format!("/api/v1/sync/changes?limit={limit}"),
        };
        let response = who.get(&url).await;
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().await.unwrap();
        assert!(page["changes"].as_array().unwrap().len() <= limit);
        entries.extend(page["changes"].as_array().unwrap().iter().cloned());
        cursor = Some(page["next_cursor"].as_str().unwrap().to_owned());
        if page["has_more"] == false {
            break;
        }
    }
    (entries, cursor.unwrap())
}

fn of_type<'a>(entries: &'a [Value], kind: &str) -> Vec<&'a Value> {
    entries.iter().filter(|e| e["type"] == kind).collect()
}

#[tokio::test]
async fn a_snapshot_then_changes_with_tombstones_for_members_who_leave() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let mut ids = Vec::new();
    for given in ["Lan", "Hoa", "Mai"] {
        ids.push(member(&admin, &t.branch, "Trần", "Thị", given).await["id"].as_str().unwrap().to_owned());
    }
    member(&admin, &t.other_branch, "Lê", "Thị", "Xa").await;
    let need = admin
        .create(&format!("/api/v1/members/{}/needs", ids[0]), &json!({"kind": "job", "description": "Tìm việc"}))
        .await;
    app.user_with_role("chi-hoi-truong", &t.branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);

    let (snapshot, cursor) = drain(&head, None, 2).await;
    let members: Vec<&str> = of_type(&snapshot, "members").iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(members.len(), 3, "her branch only: {snapshot:?}");
    assert!(ids.iter().all(|id| members.contains(&id.as_str())));
    assert_eq!(of_type(&snapshot, "members")[0]["data"]["family_name"], "Trần");
    assert_eq!(of_type(&snapshot, "needs")[0]["id"], need["id"], "a branch head sees needs");

    // Nothing new: an empty page, and the cursor still works.
    let (nothing, cursor) = drain(&head, Some(cursor), 50).await;
    assert_eq!(nothing, Vec::<Value>::new());

    // A new member, a visit, a meeting with its roster; then Hoa moves to another commune.
    let yen = member(&admin, &t.branch, "Võ", "Thị", "Yến").await["id"].as_str().unwrap().to_owned();
    head.create(&format!("/api/v1/members/{}/contacts", ids[2]), &json!({"method": "home_visit"})).await;
    let activity = crate::activities::meeting(&head, &t.branch, "2026-11-10").await;
    let roster = head
        .request(reqwest::Method::PUT, &format!("/api/v1/activities/{activity}/attendance"))
        .json(&json!({"entries": [{"member_id": ids[0], "status": "present"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(roster.status(), StatusCode::OK);
    let transfer = admin
        .create(
            &format!("/api/v1/members/{}/transfers", ids[1]),
            &json!({"to_unit_id": t.other_branch, "reason": "Theo chồng"}),
        )
        .await;
    let accepted =
        admin.post_json(&format!("/api/v1/transfers/{}/accept", transfer["id"].as_str().unwrap()), &json!({})).await;
    assert_eq!(accepted.status(), StatusCode::OK);

    let (changes, _) = drain(&head, Some(cursor), 50).await;
    let find = |kind: &str, id: &str| changes.iter().find(|e| e["type"] == kind && e["id"] == id).cloned();
    assert_eq!(find("members", &yen).unwrap()["op"], "upsert");
    let gone = find("members", &ids[1]).expect("a tombstone for Hoa");
    assert_eq!((gone["op"].clone(), gone["reason"].clone()), (json!("delete"), json!("out_of_scope")));
    assert!(gone.get("data").is_none(), "no data about her once she left");
    let sheet = find("attendance", &activity).expect("the roster");
    assert_eq!(sheet["data"]["entries"][0]["member_id"], ids[0].as_str());
    assert_eq!(find("activities", &activity).unwrap()["data"]["status"], "held");
    assert_eq!(of_type(&changes, "contacts").len(), 1);
    // The receiving branch's head hears of her arrival.
    app.user_with_role("chi-hoi-nhan", &t.other_branch, "branch_head").await;
    let other = app.session("chi-hoi-nhan").await;
    let other = app.with_token(&other.access_token);
    let (theirs, _) = drain(&other, None, 50).await;
    assert!(of_type(&theirs, "members").iter().any(|e| e["id"] == ids[1].as_str()));

    // A group leader gets no needs; bad input names the parameter.
    app.user_with_role("to-truong", &t.group, "group_leader").await;
    let leader = app.session("to-truong").await;
    let leader = app.with_token(&leader.access_token);
    let (leader_view, _) = drain(&leader, None, 50).await;
    assert!(of_type(&leader_view, "needs").is_empty());
    let bad = head.get("/api/v1/sync/changes?types=members,secrets").await;
    let problem = assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(problem["errors"][0]["field"], "types");
    let bad = head.get("/api/v1/sync/changes?cursor=not-a-cursor").await;
    let problem = assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(problem["errors"][0]["code"], "invalid_cursor");
}

#[tokio::test]
async fn a_change_committed_late_is_not_skipped() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let slow = member(&admin, &t.branch, "Trần", "Thị", "Chậm").await["id"].as_str().unwrap().to_owned();
    let (_, cursor) = drain(&admin, None, 200).await;

    // A writer starts a transaction and changes a member but has not committed yet…
    let mut writer = app.db().await;
    writer.batch_execute(&format!("BEGIN; UPDATE members SET address = 'Ấp mới' WHERE id = '{slow}'")).await.unwrap();
    // …while another change commits.
    let fast = member(&admin, &t.branch, "Lê", "Thị", "Nhanh").await["id"].as_str().unwrap().to_owned();
    let (early, cursor) = drain(&admin, Some(cursor), 200).await;
    let ids: Vec<&str> = of_type(&early, "members").iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [fast.as_str()], "the committed change; the running one is not visible yet");
    writer.batch_execute("COMMIT").await.unwrap();
    let (late, _) = drain(&admin, Some(cursor), 200).await;
    let ids: Vec<&str> = of_type(&late, "members").iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [slow.as_str()], "committed after the cursor moved on, and still not skipped");
    assert_eq!(of_type(&late, "members")[0]["data"]["address"], "Ấp mới");
}

#[tokio::test]
async fn concurrent_writers_lose_and_duplicate_nothing() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let (_, start) = drain(&admin, None, 200).await;
    let write = async |w: usize| {
        let mut made = Vec::new();
        for i in 0..15 {
            let given = format!(
                "{} {}",
                ["Lan", "Hoa", "Mai", "Cúc"][w],
                [
                    "An", "Bình", "Châu", "Dung", "Giang", "Hà", "Khánh", "Linh", "My", "Ngân", "Oanh", "Phúc",
                    "Quyên", "Sương", "Thảo"
                ][i]
            );
            made.push(member(&admin, &t.branch, "Phạm", "Thị", &given).await["id"].as_str().unwrap().to_owned());
        }
        made
    };
    // Read while they write, with small pages.
    let reader = async {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut cursor = start.clone();
        for _ in 0..40 {
            let (entries, next) = drain(&admin, Some(cursor), 7).await;
            cursor = next;
            for e in of_type(&entries, "members") {
                *seen.entry(e["id"].as_str().unwrap().to_owned()).or_default() += 1;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        (seen, cursor)
    };
    let (a, b, c, d, (mut seen, cursor)) = tokio::join!(write(0), write(1), write(2), write(3), reader);
    let (rest, _) = drain(&admin, Some(cursor), 7).await;
    for e in of_type(&rest, "members") {
        *seen.entry(e["id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let made: Vec<String> = [a, b, c, d].into_iter().flatten().collect();
    assert_eq!(made.len(), 60);
    for id in &made {
        assert_eq!(seen.get(id), Some(&1), "member {id} seen exactly once");
    }
    assert_eq!(seen.len(), 60);
}

#[tokio::test]
async fn a_cursor_older_than_the_kept_log_must_resync() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let (_, cursor) = drain(&admin, None, 200).await;
    member(&admin, &t.branch, "Trần", "Thị", "Cũ").await;
    let mut conn = app.db().await;
    conn.batch_execute("UPDATE sync_changes SET changed_at = now() - interval '100 days'").await.unwrap();
    assert_eq!(chihoi::sync::prune(&mut conn, 90).await.unwrap(), 1);
    let expired = admin.get(&format!("/api/v1/sync/changes?cursor={cursor}")).await;
    assert_problem(expired, StatusCode::GONE, "cursor_expired").await;
    let (fresh, _) = drain(&admin, None, 200).await;
    assert_eq!(of_type(&fresh, "members").len(), 1, "a new snapshot has her");
}

#[tokio::test]
async fn apps_create_with_their_own_ids_and_merge_on_conflict() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let id = uuid::Uuid::now_v7().to_string();
    let body = json!({"id": id, "family_name": "Đặng", "middle_name": "Thị", "given_name": "Ngoại",
                      "birth_year": 1970, "joined_on": "2015-03-08", "unit_id": t.branch});
    let send = async |key: &str| {
        admin
            .request(reqwest::Method::POST, "/api/v1/members")
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let created = send("offline-1").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.json::<Value>().await.unwrap()["id"], id.as_str(), "the app's own id");
    let replay = send("offline-1").await;
    assert_eq!(replay.status(), StatusCode::CREATED, "a retry with the key replays");
    let taken = send("offline-2").await;
    let problem = assert_problem(taken, StatusCode::CONFLICT, "id_exists").await;
    assert_eq!(problem["field"], "id");
    let v4 = admin
        .post_json(
            "/api/v1/members/{id}/contacts".replace("{id}", &id).as_str(),
            &json!({"id": "6f1c2b1e-3d4a-4b5c-8d6e-7f8091a2b3c4", "method": "phone"}),
        )
        .await;
    let problem = assert_problem(v4, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "id");
    let visit = uuid::Uuid::now_v7().to_string();
    let made =
        admin.create(&format!("/api/v1/members/{id}/contacts"), &json!({"id": visit, "method": "home_visit"})).await;
    assert_eq!(made["id"], visit.as_str());

    // Someone else changed her meanwhile: the app's stale write gets the current version to merge.
    let read = admin.get(&format!("/api/v1/members/{id}")).await;
    let seen = read.headers()["etag"].to_str().unwrap().to_owned();
    let fresh = admin.patch_json(&format!("/api/v1/members/{id}"), Some(&seen), &json!({"address": "Ấp Rẫy"})).await;
    assert_eq!(fresh.status(), StatusCode::OK);
    let now = fresh.headers()["etag"].to_str().unwrap().to_owned();
    let stale = admin.patch_json(&format!("/api/v1/members/{id}"), Some(&seen), &json!({"phone": "0912345678"})).await;
    let problem = assert_problem(stale, StatusCode::PRECONDITION_FAILED, "precondition_failed").await;
    assert_eq!(problem["current"]["address"], "Ấp Rẫy");
    assert_eq!(problem["current_etag"], now.as_str());
}

#[tokio::test]
async fn a_batch_keeps_the_good_operations_when_one_fails() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let lan = member(&admin, &t.branch, "Trần", "Thị", "Lan").await["id"].as_str().unwrap().to_owned();
    let need = admin
        .create(&format!("/api/v1/members/{lan}/needs"), &json!({"kind": "capital", "description": "Vay vốn"}))
        .await;
    app.user_with_role("chi-hoi-truong", &t.branch, "branch_head").await;
    let head = app.session("chi-hoi-truong").await;
    let head = app.with_token(&head.access_token);
    let batch = json!({"operations": [
        {"label": "visit", "method": "POST", "path": format!("/api/v1/members/{lan}/contacts"),
         "body": {"method": "home_visit", "note": "Đã thăm"}, "idempotency_key": "visit-lan-1"},
        {"label": "stale need", "method": "PATCH", "path": format!("/api/v1/needs/{}", need["id"].as_str().unwrap()),
         "body": {"status": "met"}, "if_match": "\"9\""},
        {"label": "read", "method": "GET", "path": format!("/api/v1/members/{lan}")}
    ]});
    let response = head.post_json("/api/v1/batch", &batch).await;
    assert_eq!(response.status(), StatusCode::OK);
    let results: Value = response.json().await.unwrap();
    let statuses: Vec<(&str, u64)> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["label"].as_str().unwrap(), r["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(statuses, [("visit", 201), ("stale need", 412), ("read", 200)]);
    assert_eq!(results["results"][1]["body"]["current"]["status"], "open", "the need as it is, to merge");
    assert!(results["results"][0]["body"]["id"].as_str().is_some(), "the created visit");
    assert_eq!(results["results"][2]["body"]["last_contact_on"], results["results"][0]["body"]["contacted_on"]);

    // The app retries the whole batch after a timeout: the visit is not recorded twice.
    let again: Value = head.post_json("/api/v1/batch", &batch).await.json().await.unwrap();
    assert_eq!(again["results"][0]["status"], 201);
    let visits: Value = head.get(&format!("/api/v1/members/{lan}/contacts")).await.json().await.unwrap();
    assert_eq!(visits["items"].as_array().unwrap().len(), 1);

    // Limits and paths are checked before anything runs.
    let nested = json!({"operations": [{"method": "POST", "path": "/api/v1/batch", "body": {}}]});
    let problem = assert_problem(
        head.post_json("/api/v1/batch", &nested).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "operations[0].path");
    let many: Vec<Value> = (0..51).map(|_| json!({"method": "GET", "path": "/api/v1/me"})).collect();
    let problem = assert_problem(
        head.post_json("/api/v1/batch", &json!({"operations": many})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "operations");
}
