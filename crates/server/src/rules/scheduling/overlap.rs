//! Double bookings made on devices that could not see each other: a booking or move that overlaps another live
//! appointment of the same clinician (or of the same patient with another clinician) is kept, and both are named
//! in one `double_booking` review item, unless the booking was a deliberate, confirmed overbooking.

use clinic_protocol::push::MutationEnvelope;
use clinic_protocol::review::{ReviewItem, ReviewKind, ReviewStatus};
use uuid::Uuid;

use super::appointment::AppointmentData;
use crate::rules::ApplyCtx;
use crate::{AppError, db};

/// The review items for `data` (appointment `id`, just booked or moved) overlapping others.
pub(crate) async fn double_bookings(
    ctx: &ApplyCtx<'_>,
    id: Uuid,
    data: &AppointmentData,
    m: &MutationEnvelope,
) -> Result<Vec<ReviewItem>, AppError> {
    let tenant = ctx.device.tenant_id;
    // Two bookings pushed at the same moment must see each other: the tenant's sequence row (which every
    // applied change takes anyway, after its record locks) is locked before looking.
    db::query_one(ctx.tx, "SELECT seq FROM tenant_sequences WHERE tenant_id = $1 FOR UPDATE", &[&tenant]).await?;
    let (clinician, patient) = (data.clinician_id.to_string(), data.patient_id.to_string());
    let rows = db::query(
        ctx.tx,
        "SELECT entity_id FROM entities
         WHERE tenant_id = $1 AND entity = 'appointment' AND entity_id <> $2 AND deleted_at IS NULL
           AND data ->> 'status' IN ('booked', 'arrived', 'in_consultation')
           AND (data ->> 'starts_at')::timestamptz < $4 AND (data ->> 'ends_at')::timestamptz > $3
           AND (data ->> 'clinician_id' = $5 OR (data ->> 'patient_id' = $6 AND data ->> 'clinician_id' <> $5))
         ORDER BY entity_id",
        &[&tenant, &id, &data.starts_at.0, &data.ends_at.0, &clinician, &patient],
    )
    .await?;
    let mut items = Vec::new();
    for row in rows {
        let other: Uuid = row.try_get(0)?;
        let (a, b) = (id.to_string(), other.to_string());
        let flagged: bool = db::query_one(
            ctx.tx,
            "SELECT EXISTS (SELECT 1 FROM entities
                 WHERE tenant_id = $1 AND entity = 'review_item' AND data ->> 'kind' = 'double_booking'
                   AND data ->> 'status' = 'open' AND data -> 'entity_ids' @> jsonb_build_array($2::text, $3::text))",
            &[&tenant, &a, &b],
        )
        .await?
        .try_get(0)?;
        if !flagged {
            items.push(ReviewItem {
                kind: ReviewKind::DoubleBooking,
                entity: "appointment".to_owned(),
                entity_ids: vec![id, other],
                fields: Vec::new(),
                mutation_ids: vec![m.mutation_id],
                status: ReviewStatus::Open,
                resolved_by: None,
                resolution: None,
            });
        }
    }
    Ok(items)
}
