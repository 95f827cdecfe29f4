//! Rosters under concurrency (issue 22): a roster sent again does not queue behind another
//! writer of the same meeting; a change still does.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::activities::{meeting, roster};
use crate::helpers::spawn_app;
use crate::members::{member, tree};

/// A roster sent again (a retry, a phone syncing twice) changes nothing and does not queue
/// behind another writer of the same meeting; a roster that changes something still waits for
/// that writer and is then applied to the roster as it is.
#[tokio::test]
async fn a_roster_sent_again_does_not_wait_for_a_writer_of_the_meeting() {
    use diesel_async::RunQueryDsl;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let mut ids = Vec::new();
    for given in ["Lan", "Hoa", "Mai"] {
        ids.push(member(&admin, &t.group, "Nguyễn", "Thị", given).await["id"].as_str().unwrap().to_owned());
    }
    let activity = meeting(&admin, &t.branch, "2026-11-15").await;
    let entries = |absent: usize| -> Value {
        Value::Array(
            ids.iter()
                .enumerate()
                .map(|(i, id)| json!({"member_id": id, "status": if i == absent { "absent" } else { "present" }}))
                .collect(),
        )
    };
    let first = roster(&admin, &activity, entries(0)).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers().get("etag").unwrap().to_str().unwrap().to_owned();

    // Another writer holds the meeting, as a roster being changed does.
    let mut writer = app.db().await;
    diesel::sql_query("BEGIN").execute(&mut writer).await.unwrap();
    diesel::sql_query(format!("SELECT 1 FROM activities WHERE id = '{activity}' FOR UPDATE"))
        .execute(&mut writer)
        .await
        .unwrap();
    let again = tokio::time::timeout(std::time::Duration::from_secs(5), roster(&admin, &activity, entries(0)))
        .await
        .expect("the same roster again must not wait for the lock");
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.headers().get("etag").unwrap().to_str().unwrap(), etag);

    let changing = {
        let token = admin.token.clone();
        let url = format!("{}/api/v1/activities/{activity}/attendance", app.address);
        let body = json!({"entries": entries(2)});
        tokio::spawn(async move { reqwest::Client::new().put(url).bearer_auth(token).json(&body).send().await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(!changing.is_finished(), "a change waits for the writer holding the meeting");
    diesel::sql_query("COMMIT").execute(&mut writer).await.unwrap();
    let changed = changing.await.unwrap().unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers().get("etag").unwrap().to_str().unwrap(), etag);
    let sheet: Value = changed.json().await.unwrap();
    assert_eq!((sheet["summary"]["present"].as_i64(), sheet["summary"]["absent"].as_i64()), (Some(2), Some(1)));
}

/// A roster that waited for another writer of the meeting is compared with the roster that
/// writer left, not with what it read before waiting: a member the other writer marked excused
/// and this roster marks present ends present. The answer is what a reader then gets, under
/// the activity's current ETag.
#[tokio::test]
async fn a_roster_that_waited_is_applied_to_what_the_other_writer_left() {
    use diesel_async::RunQueryDsl;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let mut ids = Vec::new();
    for given in ["Lan", "Hoa", "Mai"] {
        ids.push(member(&admin, &t.group, "Trần", "Thị", given).await["id"].as_str().unwrap().to_owned());
    }
    let activity = meeting(&admin, &t.branch, "2026-11-15").await;
    let all_present = Value::Array(ids.iter().map(|id| json!({"member_id": id, "status": "present"})).collect());
    assert_eq!(roster(&admin, &activity, all_present).await.status(), StatusCode::OK);

    // Another writer changes Lan to excused and moves the version, as a roster write does.
    let mut writer = app.db().await;
    diesel::sql_query("BEGIN").execute(&mut writer).await.unwrap();
    for sql in [
        format!("SELECT 1 FROM activities WHERE id = '{activity}' FOR UPDATE"),
        format!(
            "UPDATE attendance SET status = 'excused' WHERE activity_id = '{activity}' AND member_id = '{}'",
            ids[0]
        ),
        format!("UPDATE activities SET version = version + 1 WHERE id = '{activity}'"),
    ] {
        diesel::sql_query(sql).execute(&mut writer).await.unwrap();
    }
    let wanted = json!({"entries": [
        {"member_id": ids[0], "status": "present"},
        {"member_id": ids[1], "status": "absent"},
        {"member_id": ids[2], "status": "present", "note": "đến muộn"},
    ]});
    let changing = {
        let token = admin.token.clone();
        let url = format!("{}/api/v1/activities/{activity}/attendance", app.address);
        tokio::spawn(async move { reqwest::Client::new().put(url).bearer_auth(token).json(&wanted).send().await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert!(!changing.is_finished(), "a change waits for the writer holding the meeting");
    diesel::sql_query("COMMIT").execute(&mut writer).await.unwrap();
    let changed = changing.await.unwrap().unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let etag = changed.headers().get("etag").unwrap().to_str().unwrap().to_owned();
    let sheet: Value = changed.json().await.unwrap();
    let status_of = |sheet: &Value, id: &str| {
        sheet["entries"].as_array().unwrap().iter().find(|e| e["member_id"] == id).map(|e| e["status"].clone())
    };
    assert_eq!(status_of(&sheet, &ids[0]), Some(json!("present")), "Lan: the other writer's excused is replaced");
    assert_eq!(status_of(&sheet, &ids[1]), Some(json!("absent")));
    let summary = &sheet["summary"];
    assert_eq!(
        (summary["present"].as_i64(), summary["absent"].as_i64(), summary["excused"].as_i64()),
        (Some(2), Some(1), Some(0))
    );
    let mai = sheet["entries"].as_array().unwrap().iter().find(|e| e["member_id"] == ids[2].as_str()).unwrap();
    assert_eq!(mai["note"], "đến muộn");

    let read: Value = admin.get(&format!("/api/v1/activities/{activity}/attendance")).await.json().await.unwrap();
    assert_eq!(read, sheet, "the answer is the recorded roster");
    let fetched = admin.get(&format!("/api/v1/activities/{activity}")).await;
    assert_eq!(fetched.headers().get("etag").unwrap().to_str().unwrap(), etag, "the answer's ETag is the activity's");
    let audit: Value = admin.get("/api/v1/audit-events?action=activity.attendance").await.json().await.unwrap();
    assert_eq!(audit["items"][0]["details"]["changed"], 3, "Lan, Hoa and Mai's note");
}
