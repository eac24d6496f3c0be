//! Likely-duplicate detection: match keys of live patients (folded family and given names with the date of birth;
//! each identifier normalised), kept in `patient_match_keys` so a registration finds look-alikes by index.

use clinic_protocol::keys::{fold, normalise_id};
use deadpool_postgres::Transaction;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::args::Draft;
use crate::{AppError, db};

/// The match keys of a patient: `n:<family>|<given>|<date of birth>` when all three are known, and
/// `i:<kind>:<value>` per identifier.
pub(crate) fn match_keys(d: &Draft) -> Vec<String> {
    let mut keys = Vec::new();
    let (family, given) = (fold(&d.family_name), fold(&d.given_name));
    if let Some(dob) = &d.date_of_birth
        && !family.is_empty()
        && !given.is_empty()
    {
        keys.push(["n:", &family, "|", &given, "|", &dob.0].concat());
    }
    for id in &d.identifiers {
        let value = normalise_id(&id.value);
        if !value.is_empty() {
            keys.push(["i:", &id.kind.trim().to_lowercase(), ":", &value].concat());
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// Live patients other than `patient` sharing any of `keys`.
pub(crate) async fn look_alikes(
    tx: &Transaction<'_>,
    tenant: Uuid,
    patient: Uuid,
    keys: &[String],
) -> Result<Vec<Uuid>, AppError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let rows = db::query(
        tx,
        "SELECT DISTINCT patient_id FROM patient_match_keys
         WHERE tenant_id = $1 AND match_key = ANY($2) AND patient_id <> $3 ORDER BY patient_id",
        &[&tenant, &keys, &patient],
    )
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Replaces a patient's keys (none for a deleted or merged patient, which no longer counts as a look-alike).
pub(crate) async fn set_keys(
    tx: &Transaction<'_>,
    tenant: Uuid,
    patient: Uuid,
    keys: &[String],
) -> Result<(), AppError> {
    // Two statements that do not depend on each other (stale keys out, new keys in, those already there kept),
    // so they are sent together: prepared and run in either order, they leave the same keys.
    let stale_params: [&(dyn ToSql + Sync); 3] = [&tenant, &patient, &keys];
    let stale = db::execute(
        tx,
        "DELETE FROM patient_match_keys WHERE tenant_id = $1 AND patient_id = $2 AND match_key <> ALL($3)",
        &stale_params,
    );
    if keys.is_empty() {
        stale.await?;
        return Ok(());
    }
    let fresh_params: [&(dyn ToSql + Sync); 3] = [&tenant, &keys, &patient];
    let fresh = db::execute(
        tx,
        "INSERT INTO patient_match_keys (tenant_id, match_key, patient_id)
         SELECT $1, k, $3 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING",
        &fresh_params,
    );
    tokio::try_join!(stale, fresh)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::patient::args::{Identifier, IsoDate};

    #[test]
    fn keys_ignore_accents_case_and_identifier_punctuation() {
        let a = Draft {
            given_name: "José".into(),
            family_name: "García López".into(),
            date_of_birth: Some(IsoDate("1980-02-03".into())),
            identifiers: vec![Identifier { kind: "national_id".into(), value: "ab 12-34".into() }],
            ..Draft::default()
        };
        let b = Draft {
            given_name: "JOSE".into(),
            family_name: "garcia  lopez".into(),
            date_of_birth: Some(IsoDate("1980-02-03".into())),
            identifiers: vec![Identifier { kind: "national_id".into(), value: "AB1234".into() }],
            ..Draft::default()
        };
        assert_eq!(match_keys(&a), match_keys(&b));
        assert_eq!(
            match_keys(&a),
            vec!["i:national_id:AB1234".to_owned(), "n:garcia lopez|jose|1980-02-03".to_owned()]
        );
        assert!(match_keys(&Draft { given_name: "A".into(), family_name: "B".into(), ..Draft::default() }).is_empty());
    }
}
