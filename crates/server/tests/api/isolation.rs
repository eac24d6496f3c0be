//! Tenant isolation: a device of tenant A naming tenant B's records through any endpoint gets nothing, and the
//! application role itself cannot see or write B's rows while scoped to A, nor switch row-level security off.

use std::collections::HashSet;

use clinic_protocol::push::Outcome;
use clinic_protocol::review::REVIEW_ITEM_ENTITY;
use clinic_protocol::{ApiError, ApiErrorCode};
use serde_json::json;
use uuid::Uuid;

use crate::support::{Desk, TestServer, batch, first_desk};

/// Tenant B with a patient registered twice (so a review item exists) and an audit entry; returns B's desk,
/// the patient ids and the review item id.
async fn tenant_b(server: &mut TestServer) -> (Desk, Vec<Uuid>, Uuid) {
    let mut b = first_desk(server, "Tenant B").await;
    let (p1, p2) = (Uuid::now_v7(), Uuid::now_v7());
    let m1 = b.register(p1, "Same", "Person", "1960-06-06");
    let m2 = b.register(p2, "Same", "Person", "1960-06-06");
    let answer = server.push(&b.device, &batch(vec![m1, m2])).await;
    assert_eq!(answer.results[1].outcome, Outcome::AppliedWithConflict);
    (b, vec![p1, p2], answer.results[1].review_items[0])
}

async fn refused_field(server: &TestServer, desk: &Desk, body: serde_json::Value) -> Option<String> {
    let answer = server.push_raw(&desk.device, &body).await;
    assert_eq!(answer.status(), 422);
    let error: ApiError = answer.json().await.expect("error body");
    assert_eq!(error.code, ApiErrorCode::Validation);
    error.field
}

#[tokio::test]
async fn no_endpoint_gives_a_device_another_tenants_records() {
    let mut server = TestServer::start().await;
    let mut a = first_desk(&mut server, "Tenant A").await;
    let (b, b_patients, b_review) = tenant_b(&mut server).await;
    let mine = Uuid::now_v7();
    let m = a.register(mine, "Own", "Patient", "1991-01-01");
    server.push(&a.device, &batch(vec![m])).await;
    let b_ids: HashSet<Uuid> =
        b_patients.iter().copied().chain([b_review, b.author.expect("b author"), b.device.id]).collect();

    // pull and bootstrap: only A's records, whatever the cursor.
    let (changes, _) = server.pull_all(&a.device, 0).await;
    assert!(changes.iter().any(|c| c.entity_id == mine));
    assert!(changes.iter().all(|c| !b_ids.contains(&c.entity_id)), "{changes:?}");
    let page: clinic_protocol::bootstrap::BootstrapPage = server
        .authed(server.http.get(server.url("/v1/bootstrap")), &a.device)
        .query(&[("limit", "1000")])
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("page");
    assert!(page.records.iter().all(|c| !b_ids.contains(&c.entity_id)));
    assert_eq!(page.records.len(), changes.len());
    let resumed = server
        .authed(server.http.get(server.url("/v1/bootstrap")), &a.device)
        .query(&[
            ("snapshot", page.snapshot.to_param()),
            ("after_entity", "patient".to_owned()),
            ("after_id", Uuid::nil().to_string()),
        ])
        .send()
        .await
        .expect("sent");
    let resumed: clinic_protocol::bootstrap::BootstrapPage = resumed.json().await.expect("page");
    assert!(resumed.records.iter().all(|c| !b_ids.contains(&c.entity_id)));

    // push: B's ids as the record, as a merge survivor, as a review item, as author, as audit device.
    let update = serde_json::to_value(a.update(b_patients[0], 1, json!({"notes": "x"}))).expect("json");
    assert_eq!(
        refused_field(&server, &a, json!({"mutations": [update]})).await.as_deref(),
        Some("mutations[0].entity_id")
    );
    let args = json!({"merge_id": Uuid::now_v7(), "survivor_id": b_patients[0], "reason": "same person"});
    let merge = serde_json::to_value(a.mutation("patient.merge", "patient", mine, args, Some(1))).expect("json");
    assert_eq!(
        refused_field(&server, &a, json!({"mutations": [merge]})).await.as_deref(),
        Some("mutations[0].args.survivor_id")
    );
    let resolve = json!({"status": "dismissed", "resolution": "not ours"});
    let resolve = serde_json::to_value(a.mutation("review.resolve", REVIEW_ITEM_ENTITY, b_review, resolve, Some(1)))
        .expect("json");
    assert_eq!(
        refused_field(&server, &a, json!({"mutations": [resolve]})).await.as_deref(),
        Some("mutations[0].entity_id")
    );
    let mut forged = serde_json::to_value(a.register(Uuid::now_v7(), "X", "Y", "2000-01-01")).expect("json");
    forged["authored_by"] = json!(b.author);
    assert_eq!(
        refused_field(&server, &a, json!({"mutations": [forged]})).await.as_deref(),
        Some("mutations[0].authored_by")
    );
    let register_over = serde_json::to_value(a.register(b_patients[1], "Over", "Write", "2000-01-01")).expect("json");
    assert_eq!(
        refused_field(&server, &a, json!({"mutations": [register_over]})).await.as_deref(),
        Some("mutations[0].entity_id")
    );

    // enroll: B's device id cannot be taken over with A's code.
    let code = server.code(a.device.clinic, 24).await;
    assert_eq!(server.enroll_raw(&code, b.device.id).await.status(), 422);

    // B is untouched.
    let (b_changes, _) = server.pull_all(&b.device, 0).await;
    let first = b_changes.iter().find(|c| c.entity_id == b_patients[0]).expect("B's patient");
    assert_eq!(first.row_version, 1);
    let review = b_changes.iter().find(|c| c.entity_id == b_review).expect("B's review item");
    assert_eq!(review.data["status"], "open");

    // health, metrics and the API document hold no tenant's ids.
    for path in ["/v1/health", "/v1/metrics", "/v1/openapi.json"] {
        let text = server.http.get(server.url(path)).send().await.expect("sent").text().await.expect("text");
        assert!(b_ids.iter().all(|id| !text.contains(&id.to_string())), "{path}");
    }
}

#[tokio::test]
async fn the_application_role_sees_and_writes_only_the_tenant_it_is_scoped_to() {
    let mut server = TestServer::start().await;
    let a = first_desk(&mut server, "Tenant A").await;
    let (b, _, _) = tenant_b(&mut server).await;
    let audit = serde_json::json!({
        "mutations": [],
        "audit": [{
            "device_id": b.device.id, "seq": 1, "at": "2025-03-01T09:00:00.000Z", "user_id": null, "username": null,
            "action": "sign_in", "entity_type": null, "entity_id": null, "patient_id": null, "outcome": "success",
            "detail": "", "prev_hash": clinic_protocol::audit::GENESIS_HASH, "hash": "0".repeat(64)
        }]
    });
    server.push_raw(&b.device, &audit).await; // a chain break row for B, whatever its hash
    let (tenant_a, tenant_b) = (a.device.tenant, b.device.tenant);

    let tables: Vec<String> = server
        .owner
        .query(
            "SELECT c.table_name FROM information_schema.columns c
             JOIN information_schema.tables t USING (table_schema, table_name)
             WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
             ORDER BY 1",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.len() >= 12, "{tables:?}");
    let unprotected: Vec<String> = server
        .owner
        .query(
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
             AND relname = ANY($1) AND NOT (relrowsecurity AND relforcerowsecurity)",
            &[&tables],
        )
        .await
        .expect("rls flags")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(unprotected.is_empty(), "RLS must be enabled and forced on {unprotected:?}");

    let mut app = server.app_client().await.expect("app connection");
    for table in &tables {
        // Table names come from the catalogue query above, not from input.
        let count_b = ["SELECT count(*) FROM ", table, " WHERE tenant_id = $1"].concat();
        let count_all = ["SELECT count(*) FROM ", table].concat();
        let owner_b: i64 = server.owner.query_one(&count_b, &[&tenant_b]).await.expect("owner count").get(0);
        let owner_a: i64 = server.owner.query_one(&count_b, &[&tenant_a]).await.expect("owner count").get(0);
        if table == "entities" || table == "devices" || table == "audit_chain_breaks" {
            assert!(owner_b > 0, "{table}: B has rows to hide");
        }
        let seen_b = scoped_count(&mut app, Some(tenant_a), &count_b, Some(tenant_b)).await;
        let seen_all = scoped_count(&mut app, Some(tenant_a), &count_all, None).await;
        let unscoped = scoped_count(&mut app, None, &count_all, None).await;
        match (seen_b, seen_all, unscoped) {
            // No SELECT privilege at all (rejected_requests is write-only for the server).
            (None, None, None) => {}
            (Some(b_rows), Some(all), Some(none)) => {
                assert_eq!(b_rows, 0, "{table}: the app role scoped to A sees none of B's rows");
                assert_eq!(all, owner_a, "{table}: only A's rows");
                assert_eq!(none, 0, "{table}: nothing at all without a tenant scope");
            }
            other => panic!("{table}: inconsistent privileges {other:?}"),
        }
    }
    let tenants_seen: i64 = {
        let tx = app.transaction().await.expect("tx");
        tx.execute("SELECT set_config('app.tenant_id', $1, true)", &[&tenant_a.to_string()]).await.expect("scope");
        tx.query_one("SELECT count(*) FROM tenants", &[]).await.expect("tenants").get(0)
    };
    assert_eq!(tenants_seen, 1);

    // Writing B's rows while scoped to A fails the policy check.
    let tx = app.transaction().await.expect("tx");
    tx.execute("SELECT set_config('app.tenant_id', $1, true)", &[&tenant_a.to_string()]).await.expect("scope");
    let written = tx
        .execute(
            "INSERT INTO entities (tenant_id, entity, entity_id, clinic_id, row_version, data, hlc, seq, updated_at)
             VALUES ($1, 'patient', $2, $3, 1, '{}', '', 999999, now())",
            &[&tenant_b, &Uuid::now_v7(), &b.device.clinic],
        )
        .await;
    assert!(written.is_err(), "an insert into another tenant is refused");
    tx.rollback().await.ok();
    let tx = app.transaction().await.expect("tx");
    tx.execute("SELECT set_config('app.tenant_id', $1, true)", &[&tenant_a.to_string()]).await.expect("scope");
    let changed =
        tx.execute("UPDATE entities SET data = '{}' WHERE tenant_id = $1", &[&tenant_b]).await.expect("update");
    assert_eq!(changed, 0, "B's rows are invisible to an update");
    tx.rollback().await.ok();

    // Row-level security cannot be switched off by the application role.
    assert!(app.batch_execute("ALTER TABLE entities DISABLE ROW LEVEL SECURITY").await.is_err());
    assert!(app.batch_execute("ALTER TABLE entities NO FORCE ROW LEVEL SECURITY").await.is_err());
    assert!(app.batch_execute("DROP POLICY tenant_isolation ON entities").await.is_err());
    app.batch_execute("SET row_security = off").await.expect("the setting itself is allowed");
    assert!(
        app.query("SELECT * FROM entities", &[]).await.is_err(),
        "with row_security off, a query that RLS would filter fails"
    );
    app.batch_execute("RESET row_security").await.expect("reset");
    // And it cannot read the hashes of other devices' credentials except through the look-up function.
    let direct = app.query("SELECT secret_hash FROM devices", &[]).await.expect("query");
    assert!(direct.is_empty());
}

/// Runs a count as the application role in a transaction scoped to `tenant` (or unscoped); `None` when the role
/// may not read the table at all.
async fn scoped_count(
    app: &mut tokio_postgres::Client,
    tenant: Option<Uuid>,
    sql: &str,
    param: Option<Uuid>,
) -> Option<i64> {
    let tx = app.transaction().await.expect("tx");
    if let Some(tenant) = tenant {
        tx.execute("SELECT set_config('app.tenant_id', $1, true)", &[&tenant.to_string()]).await.expect("scope");
    }
    let row = match param {
        Some(p) => tx.query_one(sql, &[&p]).await,
        None => tx.query_one(sql, &[]).await,
    };
    let count = match row {
        Ok(r) => Some(r.get(0)),
        Err(e) if e.code().map(|c| c.code()) == Some("42501") => None,
        Err(e) => panic!("{sql}: {e}"),
    };
    tx.rollback().await.ok();
    count
}
