//! Withdrawn consent is enforced: after a member withdraws a purpose, writes for it are refused
//! with `409 consent_withdrawn`, cadres no longer see what was kept for it, and the sync feed
//! takes it off the devices. Her own copy still holds it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};
use crate::members::{member, tree};

#[tokio::test]
async fn withdrawn_consent_is_enforced_for_writes_and_reads() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let lan = member(&admin, &t.branch, "Trần", "Thị", "Lan").await["id"].as_str().unwrap().to_owned();
    let decide = async |purpose: &str, granted: bool| {
        admin
            .create(
                &format!("/api/v1/members/{lan}/consents"),
                &json!({"purpose": purpose, "legal_basis": "consent", "granted": granted, "evidence": "Phiếu ngày 02/11/2026"}),
            )
            .await;
    };
    for purpose in ["circumstances_and_needs", "photo", "support_programs"] {
        decide(purpose, true).await;
    }
    let need = admin
        .create(&format!("/api/v1/members/{lan}/needs"), &json!({"kind": "capital", "description": "Vay vốn"}))
        .await;
    let png: Vec<u8> = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[0u8; 64][..]].concat();
    let put_photo = async || {
        admin
            .request(Method::PUT, &format!("/api/v1/members/{lan}/photo"))
            .header("content-type", "image/png")
            .body(png.clone())
            .send()
            .await
            .unwrap()
    };
    assert_eq!(put_photo().await.status(), StatusCode::NO_CONTENT, "allowed while consented");
    let synced =
        |page: &Value| page["changes"].as_array().unwrap().iter().any(|c| c["type"] == "needs" && c["op"] == "upsert");
    let before: Value = admin.get("/api/v1/sync/changes?types=needs").await.json().await.unwrap();
    assert!(synced(&before), "{before}");

    for purpose in ["circumstances_and_needs", "photo", "support_programs"] {
        decide(purpose, false).await;
    }
    // Writes for a withdrawn purpose are refused…
    assert_problem(put_photo().await, StatusCode::CONFLICT, "consent_withdrawn").await;
    let profile = admin
        .request(Method::PUT, &format!("/api/v1/members/{lan}/profile"))
        .header("If-Match", "*")
        .json(&json!({"poverty_status": "poor", "circumstances": ["single_mother"]}))
        .send()
        .await
        .unwrap();
    assert_problem(profile, StatusCode::CONFLICT, "consent_withdrawn").await;
    let new_need = admin
        .post_json(&format!("/api/v1/members/{lan}/needs"), &json!({"kind": "job", "description": "Việc làm"}))
        .await;
    assert_problem(new_need, StatusCode::CONFLICT, "consent_withdrawn").await;
    let changed = admin
        .patch_json(
            &format!("/api/v1/needs/{}", need["id"].as_str().unwrap()),
            Some("*"),
            &json!({"status": "met", "met_on": "2026-11-25"}),
        )
        .await;
    assert_problem(changed, StatusCode::CONFLICT, "consent_withdrawn").await;
    let support = admin
        .post_json(
            "/api/v1/support",
            &json!({"member_id": lan, "kind": "rice", "amount_vnd": 500000, "source": "donor"}),
        )
        .await;
    assert_problem(support, StatusCode::CONFLICT, "consent_withdrawn").await;
    // …what was kept for it is no longer shown to cadres…
    assert_problem(admin.get(&format!("/api/v1/members/{lan}/photo")).await, StatusCode::CONFLICT, "consent_withdrawn")
        .await;
    assert_problem(admin.get(&format!("/api/v1/members/{lan}/needs")).await, StatusCode::CONFLICT, "consent_withdrawn")
        .await;
    assert_problem(
        admin.get(&format!("/api/v1/members/{lan}/profile")).await,
        StatusCode::CONFLICT,
        "consent_withdrawn",
    )
    .await;
    let after: Value = admin.get("/api/v1/sync/changes?types=needs").await.json().await.unwrap();
    assert!(!synced(&after), "her needs leave the devices: {after}");
    // …and nothing was written.
    let copy: Value = admin.get(&format!("/api/v1/members/{lan}/personal-data")).await.json().await.unwrap();
    assert_eq!(
        copy["needs"].as_array().map(Vec::len),
        Some(1),
        "her own copy still holds the one need: {}",
        copy["needs"]
    );
    assert_eq!(copy["needs"][0]["status"], "open");
    assert_eq!(copy["support"].as_array().map(Vec::len), Some(0));

    // Consent given again lifts the block.
    decide("photo", true).await;
    assert_eq!(put_photo().await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_mentors_data_copy_holds_no_cadre_notes_about_her_mentee() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let t = tree(&app).await;
    let mentor = member(&admin, &t.branch, "Lê", "Thị", "Mai").await["id"].as_str().unwrap().to_owned();
    let mentee = member(&admin, &t.branch, "Trần", "Thị", "Lan").await["id"].as_str().unwrap().to_owned();
    let poor = admin
        .request(Method::PUT, &format!("/api/v1/members/{mentee}/profile"))
        .header("If-Match", "*")
        .json(&json!({"poverty_status": "poor", "circumstances": ["single_mother"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(poor.status(), StatusCode::OK);
    admin
        .create(
            "/api/v1/pairs",
            &json!({"kind": "sponsor", "mentor_id": mentor, "mentee_id": mentee, "started_on": "2025-03-01",
                    "goal": "Thoát nghèo năm 2026", "notes": "Chồng nghiện rượu, nợ 20 triệu"}),
        )
        .await;
    let account = app.user_with_role("mai.mentor", &t.branch, "member").await;
    admin.patch_json(&format!("/api/v1/users/{account}"), Some("*"), &json!({"member_id": mentor})).await;
    let session = app.session("mai.mentor").await;
    let copy = app.with_token(&session.access_token).get("/api/v1/me/personal-data").await.text().await.unwrap();
    assert!(!copy.contains("nghiện rượu") && !copy.contains("Thoát nghèo"), "{copy}");
    let pairs: Value = serde_json::from_str::<Value>(&copy).unwrap()["pairs"].clone();
    assert_eq!(pairs.as_array().map(Vec::len), Some(1), "she sees that she mentors: {pairs}");
    // The mentee's own copy holds them: they are about her.
    let theirs: Value = admin.get(&format!("/api/v1/members/{mentee}/personal-data")).await.json().await.unwrap();
    assert_eq!(theirs["pairs"][0]["notes"], "Chồng nghiện rượu, nợ 20 triệu");
}
