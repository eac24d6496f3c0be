//! Field-level three-way merge of a patient edit: the incoming patch against the current record, using the
//! version the edit was made on as the common base. Disjoint edits combine; a field both sides changed keeps
//! the later HLC's value and is reported as a clash. A field last written by the same desk is that desk's own
//! earlier edit (a desk's edits all name the last server version it saw), never a clash.

use clinic_protocol::hlc::Hlc;
use clinic_protocol::review::FieldClash;
use serde_json::{Map, Value};

use super::args::SAFETY_FIELDS;

/// What a merge produced.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Merged {
    pub draft: Map<String, Value>,
    pub field_hlcs: Map<String, Value>,
    /// Clashes on who the patient is (names, date of birth, sex, identifiers).
    pub safety: Vec<FieldClash>,
    /// Clashes on other fields.
    pub ordinary: Vec<FieldClash>,
}

/// Merges `patch` (stamped `incoming`) into `current`. `base` is the draft the edit started from, `None` when
/// that version is unknown (then every differing field counts as a clash). `fallback_hlc` stamps fields that
/// have no stamp of their own.
pub(crate) fn three_way(
    current: &Map<String, Value>,
    base: Option<&Map<String, Value>>,
    patch: &Map<String, Value>,
    field_hlcs: &Map<String, Value>,
    fallback_hlc: &str,
    incoming: &Hlc,
) -> Merged {
    let mut out =
        Merged { draft: current.clone(), field_hlcs: field_hlcs.clone(), safety: Vec::new(), ordinary: Vec::new() };
    for (field, ours) in patch {
        let theirs = current.get(field).cloned().unwrap_or(Value::Null);
        if &theirs == ours {
            continue;
        }
        let base_value = base.map(|b| b.get(field).cloned().unwrap_or(Value::Null));
        if base_value.as_ref() == Some(&theirs) {
            out.draft.insert(field.clone(), ours.clone());
            out.field_hlcs.insert(field.clone(), Value::String(incoming.to_string()));
            continue;
        }
        let stored_stamp = field_hlcs.get(field).and_then(Value::as_str).unwrap_or(fallback_hlc);
        let stored = stored_stamp.parse::<Hlc>().ok();
        // The same desk wrote the field last: its own earlier edit, not a clash (a desk's edits arrive in order).
        if stored.as_ref().is_some_and(|s| s.node == incoming.node) {
            out.draft.insert(field.clone(), ours.clone());
            out.field_hlcs.insert(field.clone(), Value::String(incoming.to_string()));
            continue;
        }
        let incoming_wins = stored.map(|stored| incoming > &stored).unwrap_or(true);
        let kept = if incoming_wins {
            out.draft.insert(field.clone(), ours.clone());
            out.field_hlcs.insert(field.clone(), Value::String(incoming.to_string()));
            ours.clone()
        } else {
            theirs.clone()
        };
        let clash = FieldClash {
            field: field.clone(),
            base: base_value.unwrap_or(Value::Null),
            theirs,
            ours: ours.clone(),
            kept,
        };
        if SAFETY_FIELDS.contains(&field.as_str()) {
            out.safety.push(clash);
        } else {
            out.ordinary.push(clash);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    /// A stamp of desk 1 (what the server holds).
    fn stamp(ms: u64) -> Hlc {
        Hlc { wall_ms: ms, counter: 0, node: "desk-1".into() }
    }

    /// A stamp of desk 2 (the incoming edit).
    fn other(ms: u64) -> Hlc {
        Hlc { wall_ms: ms, counter: 0, node: "desk-2".into() }
    }

    #[test]
    fn disjoint_edits_combine_without_clash() {
        let base = map(json!({"notes": "a", "email": null}));
        let current = map(json!({"notes": "b", "email": null}));
        let patch = map(json!({"email": "x@example.org"}));
        let m = three_way(&current, Some(&base), &patch, &Map::new(), &stamp(1).to_string(), &other(2));
        assert_eq!(m.draft, map(json!({"notes": "b", "email": "x@example.org"})));
        assert!(m.safety.is_empty() && m.ordinary.is_empty());
    }

    #[test]
    fn a_same_field_clash_keeps_the_later_stamp() {
        let base = map(json!({"notes": "a"}));
        let current = map(json!({"notes": "b"}));
        let hlcs = map(json!({"notes": stamp(5).to_string()}));
        let late = three_way(&current, Some(&base), &map(json!({"notes": "c"})), &hlcs, "", &other(9));
        assert_eq!(late.draft["notes"], "c");
        assert_eq!(late.ordinary.len(), 1);
        let early = three_way(&current, Some(&base), &map(json!({"notes": "c"})), &hlcs, "", &other(3));
        assert_eq!(early.draft["notes"], "b");
        assert_eq!(early.ordinary[0].kept, json!("b"));
        assert_eq!(early.ordinary[0].ours, json!("c"));
    }

    #[test]
    fn safety_fields_are_reported_apart_and_equal_values_are_no_clash() {
        let base = map(json!({"family_name": "A", "sex": "female"}));
        let current = map(json!({"family_name": "B", "sex": "male"}));
        let patch = map(json!({"family_name": "C", "sex": "male"}));
        let m = three_way(&current, Some(&base), &patch, &Map::new(), &stamp(1).to_string(), &other(2));
        assert_eq!(m.safety.len(), 1);
        assert_eq!(m.safety[0].field, "family_name");
        assert!(m.ordinary.is_empty());
    }

    #[test]
    fn a_desks_second_edit_of_a_field_is_no_clash_with_its_first() {
        let base = map(json!({"notes": "a", "sex": "unknown"}));
        let current = map(json!({"notes": "first draft", "sex": "female"}));
        let hlcs = map(json!({"notes": stamp(5).to_string(), "sex": stamp(5).to_string()}));
        let m = three_way(
            &current,
            Some(&base),
            &map(json!({"notes": "second draft", "sex": "male"})),
            &hlcs,
            "",
            &stamp(3),
        );
        assert_eq!(m.draft, map(json!({"notes": "second draft", "sex": "male"})), "applied even with an earlier clock");
        assert!(m.safety.is_empty() && m.ordinary.is_empty());
        let theirs = three_way(&current, Some(&base), &map(json!({"notes": "second draft"})), &hlcs, "", &other(9));
        assert_eq!(theirs.ordinary.len(), 1, "another desk's edit of the same field still clashes");
    }
}
