//! A push's writes, applied as a set. Records, versions, answers and patients' match keys are kept in memory as the
//! mutations apply (later mutations of the same push read them from here) and written with one statement per
//! table when the push ends, or before a mutation whose rules read the tables themselves. The records a push's
//! patient mutations read, and the match keys its registrations look up, are loaded together when it starts.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use clinic_protocol::push::{MutationEnvelope, MutationResult};
use deadpool_postgres::Transaction;
use serde_json::Value;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::store::{self, Origin, Record};
use crate::extract::DeviceAuth;
use crate::rules::Write;
use crate::{AppError, db};

type RecordKey = (String, Uuid);

/// One record's newest state in the push, with the columns it is stored with.
#[derive(Debug, Clone)]
struct PendingRecord {
    /// The row version the database holds (the update matches it); `None` when the push creates the record.
    stored_version: Option<i64>,
    clinic_id: Uuid,
    record: Record,
    seq: i64,
    updated_at: DateTime<Utc>,
    updated_by: Option<Uuid>,
    origin_device: Option<Uuid>,
    origin_mutation: Option<Uuid>,
}

#[derive(Debug, Clone)]
struct PendingVersion {
    entity: String,
    entity_id: Uuid,
    row_version: i64,
    data: Value,
    hlc: String,
    seq: i64,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct PendingAnswer {
    device_id: Uuid,
    device_seq: i64,
    mutation_id: Uuid,
    name: String,
    entity: String,
    entity_id: Uuid,
    outcome: String,
    result: Value,
    applied_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Pending {
    /// Records read from the database in this push (`None`: not there), locked until the transaction ends.
    loaded: HashMap<RecordKey, Option<Record>>,
    /// Records written in this push, in the order first written.
    written: HashMap<RecordKey, PendingRecord>,
    written_order: Vec<RecordKey>,
    versions: Vec<PendingVersion>,
    answers: Vec<PendingAnswer>,
    /// Patients whose match keys this push replaces, with their new keys.
    match_keys: HashMap<Uuid, Vec<String>>,
    /// For keys looked up when the push started: the patients the database holds them for.
    stored_key_holders: HashMap<String, Vec<Uuid>>,
}

/// The writes of one tenant's transaction (one push, or several applied together), kept until [`Batch::flush`].
#[derive(Debug)]
pub(crate) struct Batch {
    tenant: Uuid,
    pending: Mutex<Pending>,
}

impl Batch {
    pub(crate) fn new(tenant: Uuid) -> Batch {
        Batch { tenant, pending: Mutex::new(Pending::default()) }
    }

    fn pending(&self) -> Result<MutexGuard<'_, Pending>, AppError> {
        self.pending.lock().map_err(|_| AppError::internal("a push's pending writes were poisoned"))
    }

    /// Loads and locks these records of one kind with one statement (in id order, so pushes that lock the same
    /// records cannot deadlock), and remembers which are missing.
    pub(crate) async fn preload(&self, tx: &Transaction<'_>, entity: &str, ids: &[Uuid]) -> Result<(), AppError> {
        if ids.is_empty() {
            return Ok(());
        }
        let rows = db::query(
            tx,
            "SELECT entity_id, row_version, data, field_hlcs, hlc, deleted_at FROM entities
             WHERE tenant_id = $1 AND entity = $2 AND entity_id = ANY($3) ORDER BY entity_id FOR UPDATE",
            &[&self.tenant, &entity, &ids],
        )
        .await?;
        let mut pending = self.pending()?;
        for id in ids {
            pending.loaded.entry((entity.to_owned(), *id)).or_insert(None);
        }
        for row in rows {
            let record = Record {
                row_version: row.try_get(1)?,
                data: row.try_get(2)?,
                field_hlcs: row.try_get(3)?,
                hlc: row.try_get(4)?,
                deleted_at: row.try_get(5)?,
            };
            pending.loaded.insert((entity.to_owned(), row.try_get(0)?), Some(record));
        }
        Ok(())
    }

    /// Looks up, with one statement, which patients the database holds each of these match keys for.
    pub(crate) async fn preload_match_keys(&self, tx: &Transaction<'_>, keys: &[String]) -> Result<(), AppError> {
        if keys.is_empty() {
            return Ok(());
        }
        let rows = db::query(
            tx,
            "SELECT match_key, patient_id FROM patient_match_keys WHERE tenant_id = $1 AND match_key = ANY($2)",
            &[&self.tenant, &keys],
        )
        .await?;
        let mut pending = self.pending()?;
        for key in keys {
            pending.stored_key_holders.entry(key.clone()).or_default();
        }
        for row in rows {
            let key: String = row.try_get(0)?;
            pending.stored_key_holders.entry(key).or_default().push(row.try_get(1)?);
        }
        Ok(())
    }

    /// A record's current state as this push sees it (its own writes first), locked until the transaction ends.
    pub(crate) async fn load(&self, tx: &Transaction<'_>, entity: &str, id: Uuid) -> Result<Option<Record>, AppError> {
        let key = (entity.to_owned(), id);
        {
            let pending = self.pending()?;
            if let Some(written) = pending.written.get(&key) {
                return Ok(Some(written.record.clone()));
            }
            if let Some(loaded) = pending.loaded.get(&key) {
                return Ok(loaded.clone());
            }
        }
        let record = store::load(tx, self.tenant, entity, id).await?;
        self.pending()?.loaded.insert(key, record.clone());
        Ok(record)
    }

    /// The data of one earlier version of a record, if kept (written in this push or before).
    pub(crate) async fn version(
        &self,
        tx: &Transaction<'_>,
        entity: &str,
        id: Uuid,
        row_version: i64,
    ) -> Result<Option<Value>, AppError> {
        let written = self.pending()?.versions.iter().rev().find_map(|v| {
            (v.entity == entity && v.entity_id == id && v.row_version == row_version).then(|| v.data.clone())
        });
        match written {
            Some(data) => Ok(Some(data)),
            None => store::version(tx, self.tenant, entity, id, row_version).await,
        }
    }

    /// Live patients other than `patient` holding any of `keys`, in id order: the database's keys as this push
    /// changed them.
    pub(crate) async fn look_alikes(
        &self,
        tx: &Transaction<'_>,
        patient: Uuid,
        keys: &[String],
    ) -> Result<Vec<Uuid>, AppError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let known: Option<Vec<Uuid>> = {
            let pending = self.pending()?;
            keys.iter()
                .map(|k| pending.stored_key_holders.get(k).cloned())
                .collect::<Option<Vec<Vec<Uuid>>>>()
                .map(|lists| lists.concat())
        };
        let stored = match known {
            Some(holders) => holders,
            None => {
                let rows = db::query(
                    tx,
                    "SELECT DISTINCT patient_id FROM patient_match_keys
                     WHERE tenant_id = $1 AND match_key = ANY($2) AND patient_id <> $3",
                    &[&self.tenant, &keys, &patient],
                )
                .await?;
                rows.iter().map(|r| r.try_get(0)).collect::<Result<Vec<Uuid>, _>>()?
            }
        };
        let pending = self.pending()?;
        let mut found: BTreeSet<Uuid> =
            stored.into_iter().filter(|p| *p != patient && !pending.match_keys.contains_key(p)).collect();
        for (other, their_keys) in &pending.match_keys {
            if *other != patient && their_keys.iter().any(|k| keys.contains(k)) {
                found.insert(*other);
            }
        }
        Ok(found.into_iter().collect())
    }

    /// Replaces a patient's match keys (none for a deleted or merged patient).
    pub(crate) fn set_match_keys(&self, patient: Uuid, keys: Vec<String>) -> Result<(), AppError> {
        self.pending()?.match_keys.insert(patient, keys);
        Ok(())
    }

    /// Keeps a record's new state with sequence number `seq`, and that version. Returns its row version (the one
    /// replaced plus one).
    pub(crate) fn write(&self, w: &Write, seq: i64, origin: Origin<'_>) -> Result<i64, AppError> {
        let row_version = w.replaces.map_or(1, |previous| previous + 1);
        let key = (w.entity.to_owned(), w.entity_id);
        let mut pending = self.pending()?;
        let earlier = pending.written.get(&key).map(|p| (p.stored_version, p.record.row_version, p.clinic_id));
        let (stored_version, clinic_id) = match earlier {
            Some((_, current, _)) if w.replaces != Some(current) => {
                return Err(AppError::internal("a record changed under its lock"));
            }
            Some((stored, _, clinic)) => (stored, clinic),
            None => (w.replaces, origin.device.clinic_id),
        };
        if earlier.is_none() {
            pending.written_order.push(key.clone());
        }
        let record = Record {
            row_version,
            data: w.data.clone(),
            field_hlcs: w.field_hlcs.clone(),
            hlc: origin.hlc.to_owned(),
            deleted_at: w.deleted_at,
        };
        pending.written.insert(
            key,
            PendingRecord {
                stored_version,
                clinic_id,
                record,
                seq,
                updated_at: origin.at,
                updated_by: origin.author,
                origin_device: origin.mutation.map(|_| origin.device.device_id),
                origin_mutation: origin.mutation,
            },
        );
        pending.versions.push(PendingVersion {
            entity: w.entity.to_owned(),
            entity_id: w.entity_id,
            row_version,
            data: w.data.clone(),
            hlc: origin.hlc.to_owned(),
            seq,
            created_at: origin.at,
        });
        Ok(row_version)
    }

    /// Keeps what became of a mutation, so a replay returns it.
    pub(crate) fn answer(
        &self,
        device: &DeviceAuth,
        m: &MutationEnvelope,
        result: &MutationResult,
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let outcome = serde_json::to_value(result.outcome)?.as_str().unwrap_or_default().to_owned();
        self.pending()?.answers.push(PendingAnswer {
            device_id: device.device_id,
            device_seq: m.device_seq,
            mutation_id: m.mutation_id,
            name: m.name.clone(),
            entity: m.entity.clone(),
            entity_id: m.entity_id,
            outcome,
            result: serde_json::to_value(result)?,
            applied_at: at,
        });
        Ok(())
    }

    /// Writes everything kept so far, one statement per table (independent statements sent together), and starts
    /// afresh: what the database now holds is what later reads see.
    pub(crate) async fn flush(&self, tx: &Transaction<'_>) -> Result<(), AppError> {
        let pending = std::mem::take(&mut *self.pending()?);
        let tenant = self.tenant;
        let mut created = Vec::new();
        let mut changed = Vec::new();
        for key in &pending.written_order {
            let Some(record) = pending.written.get(key) else { continue };
            match record.stored_version {
                None => created.push((key, record)),
                Some(_) => changed.push((key, record)),
            }
        }
        let removed_keys: Vec<Uuid> = pending.match_keys.keys().copied().collect();
        let (key_texts, key_holders): (Vec<&str>, Vec<Uuid>) = pending
            .match_keys
            .iter()
            .flat_map(|(patient, keys)| keys.iter().map(move |k| (k.as_str(), *patient)))
            .unzip();
        let match_keys = async {
            if removed_keys.is_empty() {
                return Ok::<(), AppError>(());
            }
            // Stale keys out, then the new ones in: the second depends on the first, so they go one after the other.
            db::execute(
                tx,
                "DELETE FROM patient_match_keys WHERE tenant_id = $1 AND patient_id = ANY($2)",
                &[&tenant, &removed_keys],
            )
            .await?;
            if !key_texts.is_empty() {
                let params: [&(dyn ToSql + Sync); 3] = [&tenant, &key_texts, &key_holders];
                db::execute(
                    tx,
                    "INSERT INTO patient_match_keys (tenant_id, match_key, patient_id)
                     SELECT $1, k, p FROM unnest($2::text[], $3::uuid[]) AS u (k, p) ON CONFLICT DO NOTHING",
                    &params,
                )
                .await?;
            }
            Ok(())
        };
        tokio::try_join!(
            write_records(tx, tenant, &created, true),
            write_records(tx, tenant, &changed, false),
            insert_versions(tx, tenant, &pending.versions),
            insert_answers(tx, tenant, &pending.answers),
            match_keys,
        )?;
        Ok(())
    }
}

/// Records to write, as one array per column.
struct RecordColumns<'a> {
    entities: Vec<&'a str>,
    ids: Vec<Uuid>,
    clinics: Vec<Uuid>,
    stored_versions: Vec<i64>,
    versions: Vec<i64>,
    data: Vec<&'a Value>,
    field_hlcs: Vec<&'a Value>,
    hlcs: Vec<&'a str>,
    seqs: Vec<i64>,
    updated_at: Vec<DateTime<Utc>>,
    updated_by: Vec<Option<Uuid>>,
    deleted_at: Vec<Option<DateTime<Utc>>>,
    devices: Vec<Option<Uuid>>,
    mutations: Vec<Option<Uuid>>,
}

impl<'a> RecordColumns<'a> {
    fn of(records: &[(&'a RecordKey, &'a PendingRecord)]) -> RecordColumns<'a> {
        RecordColumns {
            entities: records.iter().map(|(k, _)| k.0.as_str()).collect(),
            ids: records.iter().map(|(k, _)| k.1).collect(),
            clinics: records.iter().map(|(_, r)| r.clinic_id).collect(),
            stored_versions: records.iter().map(|(_, r)| r.stored_version.unwrap_or_default()).collect(),
            versions: records.iter().map(|(_, r)| r.record.row_version).collect(),
            data: records.iter().map(|(_, r)| &r.record.data).collect(),
            field_hlcs: records.iter().map(|(_, r)| &r.record.field_hlcs).collect(),
            hlcs: records.iter().map(|(_, r)| r.record.hlc.as_str()).collect(),
            seqs: records.iter().map(|(_, r)| r.seq).collect(),
            updated_at: records.iter().map(|(_, r)| r.updated_at).collect(),
            updated_by: records.iter().map(|(_, r)| r.updated_by).collect(),
            deleted_at: records.iter().map(|(_, r)| r.record.deleted_at).collect(),
            devices: records.iter().map(|(_, r)| r.origin_device).collect(),
            mutations: records.iter().map(|(_, r)| r.origin_mutation).collect(),
        }
    }

    /// The statement's parameters: the tenant, entity and id, `fourth` (clinic ids for an insert, the stored
    /// versions for an update), then the record's columns.
    fn params<'s>(&'s self, tenant: &'s Uuid, fourth: &'s (dyn ToSql + Sync)) -> [&'s (dyn ToSql + Sync); 14] {
        [
            tenant,
            &self.entities,
            &self.ids,
            fourth,
            &self.versions,
            &self.data,
            &self.field_hlcs,
            &self.hlcs,
            &self.seqs,
            &self.updated_at,
            &self.updated_by,
            &self.deleted_at,
            &self.devices,
            &self.mutations,
        ]
    }
}

const INSERT_RECORDS: &str =
    "INSERT INTO entities (tenant_id, entity, entity_id, clinic_id, row_version, data, field_hlcs, hlc, seq,
                               updated_at, updated_by, deleted_at, origin_device, origin_mutation)
         SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::bigint[], $6::jsonb[], $7::jsonb[],
                                  $8::text[], $9::bigint[], $10::timestamptz[], $11::uuid[], $12::timestamptz[],
                                  $13::uuid[], $14::uuid[])";

const UPDATE_RECORDS: &str =
    "UPDATE entities AS e SET row_version = u.row_version, data = u.data, field_hlcs = u.field_hlcs, hlc = u.hlc,
                seq = u.seq, updated_at = u.updated_at, updated_by = u.updated_by, deleted_at = u.deleted_at,
                origin_device = u.origin_device, origin_mutation = u.origin_mutation
         FROM unnest($2::text[], $3::uuid[], $4::bigint[], $5::bigint[], $6::jsonb[], $7::jsonb[], $8::text[],
                     $9::bigint[], $10::timestamptz[], $11::uuid[], $12::timestamptz[], $13::uuid[], $14::uuid[])
              AS u (entity, entity_id, stored_version, row_version, data, field_hlcs, hlc, seq, updated_at,
                    updated_by, deleted_at, origin_device, origin_mutation)
         WHERE e.tenant_id = $1 AND e.entity = u.entity AND e.entity_id = u.entity_id
           AND e.row_version = u.stored_version";

/// Creates the records (`created`) or updates them where they still have the version they were read at.
async fn write_records(
    tx: &Transaction<'_>,
    tenant: Uuid,
    records: &[(&RecordKey, &PendingRecord)],
    created: bool,
) -> Result<(), AppError> {
    if records.is_empty() {
        return Ok(());
    }
    let c = RecordColumns::of(records);
    let (sql, fourth): (&'static str, &(dyn ToSql + Sync)) =
        if created { (INSERT_RECORDS, &c.clinics) } else { (UPDATE_RECORDS, &c.stored_versions) };
    let written = db::execute(tx, sql, &c.params(&tenant, fourth)).await?;
    expect_rows(written, records.len())
}

async fn insert_versions(tx: &Transaction<'_>, tenant: Uuid, versions: &[PendingVersion]) -> Result<(), AppError> {
    if versions.is_empty() {
        return Ok(());
    }
    let entities: Vec<&str> = versions.iter().map(|v| v.entity.as_str()).collect();
    let ids: Vec<Uuid> = versions.iter().map(|v| v.entity_id).collect();
    let row_versions: Vec<i64> = versions.iter().map(|v| v.row_version).collect();
    let data: Vec<&Value> = versions.iter().map(|v| &v.data).collect();
    let hlcs: Vec<&str> = versions.iter().map(|v| v.hlc.as_str()).collect();
    let seqs: Vec<i64> = versions.iter().map(|v| v.seq).collect();
    let created_at: Vec<DateTime<Utc>> = versions.iter().map(|v| v.created_at).collect();
    db::execute(
        tx,
        "INSERT INTO entity_versions (tenant_id, entity, entity_id, row_version, data, hlc, seq, created_at)
         SELECT $1, * FROM unnest($2::text[], $3::uuid[], $4::bigint[], $5::jsonb[], $6::text[], $7::bigint[],
                                  $8::timestamptz[])",
        &[&tenant, &entities, &ids, &row_versions, &data, &hlcs, &seqs, &created_at],
    )
    .await?;
    Ok(())
}

/// Records what became of each mutation. A concurrent identical push makes this fail with a unique violation,
/// and the push is tried again (answering `duplicate`).
async fn insert_answers(tx: &Transaction<'_>, tenant: Uuid, answers: &[PendingAnswer]) -> Result<(), AppError> {
    if answers.is_empty() {
        return Ok(());
    }
    let devices: Vec<Uuid> = answers.iter().map(|a| a.device_id).collect();
    let seqs: Vec<i64> = answers.iter().map(|a| a.device_seq).collect();
    let mutation_ids: Vec<Uuid> = answers.iter().map(|a| a.mutation_id).collect();
    let names: Vec<&str> = answers.iter().map(|a| a.name.as_str()).collect();
    let entities: Vec<&str> = answers.iter().map(|a| a.entity.as_str()).collect();
    let entity_ids: Vec<Uuid> = answers.iter().map(|a| a.entity_id).collect();
    let outcomes: Vec<&str> = answers.iter().map(|a| a.outcome.as_str()).collect();
    let results: Vec<&Value> = answers.iter().map(|a| &a.result).collect();
    let applied_at: Vec<DateTime<Utc>> = answers.iter().map(|a| a.applied_at).collect();
    db::execute(
        tx,
        "INSERT INTO applied_mutations (device_id, device_seq, tenant_id, mutation_id, name, entity, entity_id, outcome,
                                        result, applied_at)
         SELECT u.device_id, u.device_seq, $1, u.mutation_id, u.name, u.entity, u.entity_id, u.outcome, u.result,
                u.applied_at
         FROM unnest($2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::text[],
                     $9::jsonb[], $10::timestamptz[])
              AS u (device_id, device_seq, mutation_id, name, entity, entity_id, outcome, result, applied_at)",
        &[
            &tenant,
            &devices,
            &seqs,
            &mutation_ids,
            &names,
            &entities,
            &entity_ids,
            &outcomes,
            &results,
            &applied_at,
        ],
    )
    .await?;
    Ok(())
}

fn expect_rows(written: u64, expected: usize) -> Result<(), AppError> {
    if usize::try_from(written).ok() != Some(expected) {
        return Err(AppError::internal("a record changed under its lock"));
    }
    Ok(())
}
