//! The fake server's rules for applying one mutation (last writer wins, whole records) and for taking a
//! device's audit chain (it must continue what the server holds).

use clinic_protocol::audit::AuditRecord;
use clinic_protocol::push::{MutationEnvelope, Outcome};
use serde_json::json;
use uuid::Uuid;

use super::fake_server::{State, at};

impl State {
    pub(super) fn apply(&mut self, device: Uuid, m: &MutationEnvelope) -> (Outcome, Option<String>) {
        if self.refused_entities.contains(&m.entity_id) {
            return (Outcome::Rejected, Some("Refused by the test server.".into()));
        }
        let key = (m.entity.clone(), m.entity_id);
        let current = self.records.get(&key).cloned();
        let mut deleted_at = current.as_ref().and_then(|r| r.deleted_at.clone());
        let data = match (m.name.as_str(), current) {
            ("patient.register", None) => json!({
                "mrn": m.args["mrn"], "patient": m.args["patient"], "merged_into": null, "delete_reason": null
            }),
            ("patient.update", Some(r)) => {
                let mut data = r.data;
                for (field, value) in m.args["patch"].as_object().cloned().unwrap_or_default() {
                    data["patient"][field] = value;
                }
                data
            }
            ("patient.delete", Some(r)) => {
                deleted_at = Some(at(self.now_ms));
                let mut data = r.data;
                data["delete_reason"] = m.args["reason"].clone();
                data
            }
            ("patient.merge", Some(r)) => {
                let mut data = r.data;
                data["merged_into"] = m.args["survivor_id"].clone();
                data
            }
            ("staff.create", None) | ("clinic.settings", _) => m.args.clone(),
            ("staff.update", Some(r)) => {
                let mut data = r.data;
                for (field, value) in m.args.as_object().cloned().unwrap_or_default() {
                    data[field] = value;
                }
                data
            }
            ("review.resolve", Some(r)) => {
                let mut data = r.data;
                data["status"] = m.args["status"].clone();
                data["resolution"] = m.args["resolution"].clone();
                data["resolved_by"] = json!(m.authored_by);
                data
            }
            (_, None) => return (Outcome::Rejected, Some("This record is not on the clinic server.".into())),
            (_, Some(_)) => return (Outcome::Rejected, Some("This change cannot be applied.".into())),
        };
        self.hlc = self.hlc.receive(&m.hlc, self.now_ms);
        self.write(&m.entity, m.entity_id, data, deleted_at, Some((device, m.mutation_id)), m.authored_by);
        *self.applications.entry(m.mutation_id).or_default() += 1;
        (Outcome::Applied, None)
    }

    pub(super) fn take_audit(&mut self, device: Uuid, records: &[AuditRecord]) -> (i64, Option<String>) {
        let chain = self.audit.entry(device).or_default();
        let mut problem = None;
        for record in records {
            let last = chain.last().map_or(0, |r| r.seq);
            if record.seq <= last {
                continue;
            }
            let prev = chain.last().map_or(clinic_protocol::audit::GENESIS_HASH.to_owned(), |r| r.hash.clone());
            if record.seq != last + 1 || record.prev_hash != prev {
                problem = Some(format!("entry {} does not continue the chain", record.seq));
                break;
            }
            chain.push(record.clone());
        }
        (chain.last().map_or(0, |r| r.seq), problem)
    }
}
