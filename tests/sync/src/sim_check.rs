//! What must hold once a simulation has settled: every desk (and a desk joining now) equals the server; every
//! mutation a desk saw acknowledged is on the server and its effect survives (a field keeps the value of the
//! last change that set it, unless that change lost a flagged clash); nothing was applied twice; every
//! same-field clash — judged from what the editing desk saw, not from version numbers — is flagged, and
//! nothing else is; the same person registered twice is flagged; replaying old pushes changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use clinic_core::keys::CredentialStore;
use clinic_core::sync::{Remote, ServerUrl, SyncTransport};
use clinic_protocol::push::Outcome;
use clinic_protocol::review::{FieldClash, ReviewItem, ReviewKind};
use serde_json::Value;
use uuid::Uuid;

use crate::sim::Sim;
use crate::{Desk, assert_converged};

const SAFETY_FIELDS: [&str; 6] = ["given_name", "family_name", "other_names", "date_of_birth", "sex", "identifiers"];

/// One mutation some desk sent, with what the server made of it.
#[derive(Debug, Clone)]
struct Sent {
    desk: usize,
    device_seq: i64,
    mutation_id: Uuid,
    name: String,
    entity_id: Uuid,
    args: Value,
    outcome: String,
    row_version: Option<i64>,
    base_row_version: Option<i64>,
}

/// Runs every check; returns the broken invariants (each naming the seed), after the equality checks that
/// panic at once.
pub fn check(sim: &mut Sim) -> Vec<String> {
    sim.settle();
    let ctx = ["seed ", &sim.seed.to_string(), " (final checks)"].concat();
    let desks: Vec<&Desk> = sim.desks.iter().collect();
    assert_converged(&sim.server, &desks, &ctx);
    for desk in &desks {
        desk.assert_healthy(&ctx);
    }
    let late = Desk::join(&sim.server, "D09");
    let mut with_late = desks.clone();
    with_late.push(&late);
    assert_converged(&sim.server, &with_late, &[&ctx, ", a desk joining now"].concat());
    assert_same_review_items(sim, &with_late, &ctx);

    let mut problems = Vec::new();
    let sent = sent_mutations(sim, &mut problems, &ctx);
    let items: Vec<ReviewItem> = sim
        .server
        .records("review_item")
        .into_values()
        .map(|r| serde_json::from_value(r.data).expect("a review item"))
        .collect();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for item in &items {
        *kinds.entry(format!("{:?}", item.kind)).or_default() += 1;
    }
    let faults: Vec<_> = sim.transports.iter().map(crate::FlakyTransport::counts).collect();
    println!("seed {}: review items {kinds:?}; calls and faults per desk {faults:?}", sim.seed);
    let mut clashes: BTreeMap<(Uuid, String), (ReviewKind, FieldClash)> = BTreeMap::new();
    for item in &items {
        for clash in &item.fields {
            for mutation in &item.mutation_ids {
                clashes.insert((*mutation, clash.field.clone()), (item.kind, clash.clone()));
            }
        }
    }
    check_effects(sim, &sent, &clashes, &mut problems, &ctx);
    check_clashes(sim, &sent, &clashes, &mut problems, &ctx);
    check_duplicates(&sent, &items, &mut problems, &ctx);
    check_replays(sim, &mut problems, &ctx);
    problems
}

fn assert_same_review_items(sim: &Sim, desks: &[&Desk], ctx: &str) {
    let on_server: BTreeMap<Uuid, (Value, Value)> = sim
        .server
        .records("review_item")
        .into_iter()
        .map(|(id, r)| (id, (r.data["kind"].clone(), r.data["status"].clone())))
        .collect();
    for desk in desks {
        let held: BTreeMap<Uuid, (Value, Value)> = desk
            .review_items(true)
            .into_iter()
            .map(|i| {
                (i.id, (serde_json::to_value(i.kind).expect("kind"), serde_json::to_value(i.status).expect("status")))
            })
            .collect();
        assert_eq!(held, on_server, "{ctx}: desk {} lists other review items than the server", desk.code);
    }
}

fn sent_mutations(sim: &Sim, problems: &mut Vec<String>, ctx: &str) -> Vec<Sent> {
    let mut sent = Vec::new();
    for (i, desk) in sim.desks.iter().enumerate() {
        let answered = sim.server.applied(desk.device_id());
        let rows: BTreeMap<i64, _> = desk.outbox().into_iter().map(|r| (r.device_seq, r)).collect();
        for (seq, mutation) in &sim.acknowledged[i] {
            match rows.get(seq) {
                Some(row) if row.mutation_id == *mutation && row.state == "applied" => {}
                other => problems.push(format!("{ctx}: D0{} acknowledged mutation {seq} is now {other:?}", i + 1)),
            }
            if answered.get(seq).is_none_or(|(outcome, _)| outcome == "rejected") {
                problems.push(format!("{ctx}: D0{} acknowledged mutation {seq} is not applied on the server", i + 1));
            }
        }
        for row in rows.into_values() {
            let Some((outcome, row_version)) = answered.get(&row.device_seq).cloned() else {
                problems.push(format!("{ctx}: D0{} mutation {} never reached the server", i + 1, row.device_seq));
                continue;
            };
            sent.push(Sent {
                desk: i,
                device_seq: row.device_seq,
                mutation_id: row.mutation_id,
                name: row.name,
                entity_id: row.entity_id,
                args: row.args,
                outcome,
                row_version,
                base_row_version: row.base_row_version,
            });
        }
    }
    sent
}

/// Registrations are there, deletions and merges took, each field holds what its last writer gave it (or what
/// a flagged clash kept), and each change made exactly one version.
fn check_effects(
    sim: &Sim,
    sent: &[Sent],
    clashes: &BTreeMap<(Uuid, String), (ReviewKind, FieldClash)>,
    problems: &mut Vec<String>,
    ctx: &str,
) {
    let on_server = sim.server.patients();
    let mut writers: BTreeMap<(Uuid, String), (i64, Uuid, Value)> = BTreeMap::new();
    let mut produced: BTreeMap<Uuid, Vec<i64>> = BTreeMap::new();
    for m in sent.iter().filter(|m| m.name.starts_with("patient.") && m.outcome != "rejected") {
        let Some(version) = m.row_version else {
            problems.push(format!("{ctx}: {} of {} has no row version on the server", m.name, m.entity_id));
            continue;
        };
        produced.entry(m.entity_id).or_default().push(version);
        let fields = match m.name.as_str() {
            "patient.register" => m.args["patient"].as_object().cloned().unwrap_or_default(),
            "patient.update" => m.args["patch"].as_object().cloned().unwrap_or_default(),
            _ => Default::default(),
        };
        for (field, value) in fields {
            let key = (m.entity_id, field);
            if writers.get(&key).is_none_or(|(v, _, _)| *v < version) {
                writers.insert(key, (version, m.mutation_id, value));
            }
        }
        let Some(record) = on_server.get(&m.entity_id) else {
            problems.push(format!("{ctx}: patient {} of D0{} is not on the server", m.entity_id, m.desk + 1));
            continue;
        };
        if m.name == "patient.delete" && !record.deleted {
            problems.push(format!("{ctx}: the deletion of {} was lost", m.entity_id));
        }
        if m.name == "patient.merge" && m.outcome == "applied" && record.data["merged_into"].is_null() {
            problems.push(format!("{ctx}: the merge of {} was lost", m.entity_id));
        }
    }
    for ((id, field), (_, mutation, value)) in &writers {
        let expected = match clashes.get(&(*mutation, field.clone())) {
            Some((_, clash)) if clash.kept != clash.ours => &clash.kept,
            _ => value,
        };
        let held = &on_server[id].data["patient"][field.as_str()];
        if held != expected {
            problems.push(format!(
                "{ctx}: patient {id} field {field} holds {held} but its last change ({mutation}) gave {expected}"
            ));
        }
    }
    for (id, mut versions) in produced {
        versions.sort_unstable();
        let record = &on_server[&id];
        let stored = sim.server.versions("patient", id);
        let expected: Vec<i64> = (1..=record.row_version).collect();
        if versions != expected || stored != record.row_version {
            problems.push(format!(
                "{ctx}: patient {id} at version {} with {stored} stored versions was made by changes giving {versions:?}",
                record.row_version
            ));
        }
    }
}

/// Every edit that changed a field someone else changed since the version the editing desk last received, to
/// another value, is flagged on that field (as a safety clash for identity fields); no other edit is. "Someone
/// else" is the desk whose change last gave the field its value on the server: a desk's own earlier edit that
/// it has not received back yet is not a clash, but a value another desk set is one even when this desk had
/// typed the same value itself before (it never saw the other desk's change).
fn check_clashes(
    sim: &Sim,
    sent: &[Sent],
    clashes: &BTreeMap<(Uuid, String), (ReviewKind, FieldClash)>,
    problems: &mut Vec<String>,
    ctx: &str,
) {
    let versions = sim.server.patient_versions();
    let writers = sim.server.patient_version_writers();
    for m in sent.iter().filter(|m| m.name == "patient.update" && m.outcome != "rejected") {
        let (Some(authored), Some(version)) = (sim.edits.get(&(m.desk, m.device_seq)), m.row_version) else {
            continue;
        };
        let Some(previous) = versions.get(&(m.entity_id, version - 1)) else {
            problems.push(format!("{ctx}: version {} of {} is missing", version - 1, m.entity_id));
            continue;
        };
        for (field, ours) in m.args["patch"].as_object().cloned().unwrap_or_default() {
            let theirs = &previous["patient"][field.as_str()];
            let seen = authored.before.get(&field).unwrap_or(&Value::Null);
            let base = m.base_row_version.unwrap_or_default();
            let at_base =
                versions.get(&(m.entity_id, base)).map_or(Value::Null, |v| v["patient"][field.as_str()].clone());
            let changer = last_changer(&versions, &writers, m.entity_id, version - 1, &field);
            let own = changer.as_deref() == Some(sim.desks[m.desk].device_id().to_string().as_str());
            let expected = theirs != &ours && theirs != &at_base && !own;
            let flagged = clashes.get(&(m.mutation_id, field.clone()));
            let what = [
                "D0",
                &(m.desk + 1).to_string(),
                " edit ",
                &m.device_seq.to_string(),
                " of ",
                &m.entity_id.to_string(),
                " field ",
                &field,
                " made on version ",
                &base.to_string(),
                " applied as version ",
                &version.to_string(),
                " (the desk saw ",
                &seen.to_string(),
                ", the server's version ",
                &base.to_string(),
                " had ",
                &at_base.to_string(),
                ", the server had ",
                &theirs.to_string(),
                ", set ",
                &ours.to_string(),
                ")",
                if &at_base == seen { "" } else { " [the version the edit names is not the one the desk edited]" },
            ]
            .concat();
            match (expected, flagged) {
                (true, None) => problems.push(format!("{ctx}: clash not flagged: {what}")),
                (false, Some(_)) => problems.push(format!("{ctx}: clash flagged where there was none: {what}")),
                (true, Some((kind, _))) => {
                    let safety = SAFETY_FIELDS.contains(&field.as_str());
                    let right = if safety { ReviewKind::SafetyFieldConflict } else { ReviewKind::FieldConflict };
                    if *kind != right {
                        problems.push(format!("{ctx}: clash flagged as {kind:?}: {what}"));
                    }
                }
                (false, None) => {}
            }
        }
    }
}

/// Two records registered with the same name and date of birth, never renamed, deleted or merged since, are
/// named together by a possible-duplicate item.
fn check_duplicates(sent: &[Sent], items: &[ReviewItem], problems: &mut Vec<String>, ctx: &str) {
    let identity = ["given_name", "family_name", "date_of_birth", "other_names", "identifiers"];
    let touched: BTreeSet<Uuid> = sent
        .iter()
        .filter(|m| {
            matches!(m.name.as_str(), "patient.delete" | "patient.merge")
                || (m.name == "patient.update"
                    && m.args["patch"].as_object().is_some_and(|p| identity.iter().any(|f| p.contains_key(*f))))
        })
        .map(|m| m.entity_id)
        .collect();
    let mut by_person: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for m in sent.iter().filter(|m| m.name == "patient.register" && !touched.contains(&m.entity_id)) {
        let p = &m.args["patient"];
        let key = [&p["given_name"], &p["family_name"], &p["date_of_birth"]].map(Value::to_string).join("|");
        by_person.entry(key).or_default().push(m.entity_id);
    }
    let flagged: BTreeSet<(Uuid, Uuid)> = items
        .iter()
        .filter(|i| i.kind == ReviewKind::PossibleDuplicate)
        .flat_map(|i| {
            let ids = i.entity_ids.clone();
            ids.iter().flat_map(|a| ids.iter().map(move |b| (*a, *b))).collect::<Vec<_>>()
        })
        .collect();
    for (person, ids) in by_person {
        for (n, a) in ids.iter().enumerate() {
            for b in &ids[n + 1..] {
                if !flagged.contains(&(*a, *b)) {
                    problems.push(format!("{ctx}: {a} and {b} ({person}) were not flagged as a possible duplicate"));
                }
            }
        }
    }
}

/// A few pushes each desk sent during the run, sent again verbatim: all duplicates, nothing changes.
fn check_replays(sim: &mut Sim, problems: &mut Vec<String>, ctx: &str) {
    let before = (sim.server.patients(), sim.server.records("review_item"), sim.server.applied_and_seq());
    let url = ServerUrl::parse(&sim.server.url).expect("url");
    for (i, desk) in sim.desks.iter().enumerate() {
        let pushes: Vec<_> = sim.transports[i].pushes().into_iter().filter(|p| !p.mutations.is_empty()).collect();
        if pushes.is_empty() {
            continue;
        }
        let credential = desk.keys.load_credential().expect("keychain").expect("credential");
        for _ in 0..3 {
            let old = &pushes[sim.rng.below(pushes.len())];
            match desk.http.push(&Remote { server: &url, credential: &credential }, old) {
                Ok(answer) if answer.results.iter().all(|r| r.outcome == Outcome::Duplicate) => {}
                other => problems.push(format!("{ctx}: D0{} replayed push answered {other:?}", i + 1)),
            }
        }
    }
    let after = (sim.server.patients(), sim.server.records("review_item"), sim.server.applied_and_seq());
    if after != before {
        problems.push(format!("{ctx}: replaying old pushes changed the server"));
    }
}

/// The device whose change last gave `field` its value as of `version` (walking back to where it changed).
fn last_changer(
    versions: &BTreeMap<(Uuid, i64), Value>,
    writers: &BTreeMap<(Uuid, i64), String>,
    id: Uuid,
    version: i64,
    field: &str,
) -> Option<String> {
    let value_at = |v: i64| versions.get(&(id, v)).map(|d| d["patient"][field].clone());
    let mut at = version;
    while at > 1 && value_at(at) == value_at(at - 1) {
        at -= 1;
    }
    writers.get(&(id, at)).cloned()
}
