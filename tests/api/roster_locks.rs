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
