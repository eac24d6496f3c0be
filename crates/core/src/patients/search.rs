//! Finding patients from one search box: names (any part, accents and case ignored), phone numbers in any
//! format, MRNs, identifiers and dates of birth as the clinic writes them.
//!
//! The query is turned into a few bounded candidate queries, each with a `LIMIT` and each served by an
//! index (look-up rows, B-tree ranges on folded names, the trigram index), so the cost does not grow with
//! the number of records that match. Candidates are ranked: exact MRN/identifier/phone, then date of
//! birth, then partial phone, then names where every word starts a name, then names that merely contain
//! the words; within a rank by family name, given name, MRN. Queries are not audited: no query text may
//! reach the audit trail.

use std::collections::HashMap;

use jiff::civil::Date;
use rusqlite::{Connection, ToSql};
use uuid::Uuid;

use super::duplicates::sorted;
use super::keys::{NATIONAL_DIGITS, fold, normalise_id, prefix_end, reversed, words};
use super::model::{MatchKind, PatientSummary};
use super::store::{
    ACTIVE, LOOKUP_ID, LOOKUP_MRN, LOOKUP_PHONE, LOOKUP_PHONE_REV, SUMMARY_COLUMNS, SummaryRow, read_summary,
};
use crate::accounts::SessionId;
use crate::rbac::Permission;
use crate::setup::{DateFormat, settings_internal};
use crate::{Clinic, CoreResult};

/// The most results one search returns.
pub const MAX_RESULTS: u32 = 100;
/// Longer queries are cut to this many characters.
const MAX_QUERY_CHARS: usize = 200;
/// At most this many name words are used.
const MAX_WORDS: usize = 5;
/// The trigram index only helps from three characters on.
const MIN_TRIGRAM: usize = 3;
/// Partial phone matches (start or end of a number) need at least this many digits.
const MIN_PARTIAL_DIGITS: usize = 4;

/// Searches active patients (deleted and merged records are never returned). An empty query returns nothing;
/// `limit` is kept between 1 and 100.
pub fn search(clinic: &Clinic, session: SessionId, query: &str, limit: u32) -> CoreResult<Vec<PatientSummary>> {
    clinic.authorize(session, Permission::PatientRead)?;
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let limit = limit.clamp(1, MAX_RESULTS) as usize;
    clinic.read(|conn| {
        let plan = Plan::parse(&query, settings_internal(conn)?.date_format);
        run(conn, &plan, limit)
    })
}

/// What a query may be, all at once: the candidate queries to run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The whole query is a date of birth (ISO `yyyy-mm-dd`, `YYYY-MM-DD`).
    pub date_of_birth: Option<String>,
    /// The query's digits, when it is written like a phone number.
    pub phone_digits: Option<String>,
    /// Letters and digits, upper case, when the query could be an MRN or identifier.
    pub id: Option<String>,
    /// Folded name words.
    pub name_words: Vec<String>,
    /// A date typed among name words (`garcia 12/03/1980`) narrows the name matches.
    pub name_date: Option<String>,
}

impl Plan {
    pub fn parse(query: &str, format: DateFormat) -> Plan {
        let query = query.trim();
        let mut plan = Plan { date_of_birth: parse_date(query, format).map(|d| d.to_string()), ..Plan::default() };
        let compact: String = query.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '/')).collect();
        let digits = compact.strip_prefix('+').unwrap_or(&compact);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() <= 15 {
            plan.phone_digits = Some(digits.to_owned());
        }
        let id = normalise_id(query);
        if (1..=40).contains(&id.chars().count()) {
            plan.id = Some(id);
        }
        if plan.date_of_birth.is_none() {
            for token in query.split_whitespace() {
                match parse_date(token, format) {
                    Some(date) => plan.name_date = Some(date.to_string()),
                    None => plan.name_words.extend(words(&fold(token)).map(str::to_owned)),
                }
            }
            plan.name_words.dedup();
            plan.name_words.truncate(MAX_WORDS);
            if !plan.name_words.iter().any(|w| w.chars().any(char::is_alphabetic)) {
                plan.name_words.clear();
            }
        }
        plan
    }
}

/// A date as the clinic writes it (day, month and year in its order, separated by `/`, `.` or `-`, with a
/// four-digit year), or ISO `yyyy-mm-dd` whatever the clinic's format.
pub fn parse_date(text: &str, format: DateFormat) -> Option<Date> {
    let parts: Vec<&str> = text.split(['/', '.', '-']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let number = |i: usize| parts[i].parse::<i16>().ok();
    let (year, month, day) = if parts[0].len() == 4 {
        (number(0)?, number(1)?, number(2)?)
    } else if parts[2].len() == 4 {
        match format {
            DateFormat::DayMonthYear => (number(2)?, number(1)?, number(0)?),
            DateFormat::MonthDayYear => (number(2)?, number(0)?, number(1)?),
            DateFormat::YearMonthDay => return None,
        }
    } else {
        return None;
    };
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// Collected candidates, each patient once with its best match.
#[derive(Default)]
struct Found(HashMap<Uuid, SummaryRow>);

impl Found {
    fn add(&mut self, row: SummaryRow) {
        let better = self.0.get(&row.summary.id).is_none_or(|old| row.summary.match_kind < old.summary.match_kind);
        if better {
            self.0.insert(row.summary.id, row);
        }
    }
}

fn run(conn: &Connection, plan: &Plan, limit: usize) -> CoreResult<Vec<PatientSummary>> {
    let mut found = Found::default();
    let n = limit as i64;
    if let Some(id) = &plan.id {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, l.kind FROM patient_lookup l CROSS JOIN patients p ON p.id = l.patient_id
             WHERE l.kind IN ('{LOOKUP_ID}', '{LOOKUP_MRN}') AND l.value = ?1 AND {ACTIVE} LIMIT ?2"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params![id, n], |r| {
            let kind = if r.get::<_, String>(10)? == LOOKUP_MRN { MatchKind::Mrn } else { MatchKind::Identifier };
            read_summary(r, kind)
        })?;
        for row in rows {
            found.add(row?);
        }
    }
    if let Some(digits) = &plan.phone_digits {
        phone_candidates(conn, digits, n, &mut found)?;
    }
    if let Some(date) = &plan.date_of_birth {
        let sql = ["SELECT ", SUMMARY_COLUMNS, " FROM patients p WHERE p.date_of_birth = ?1 AND ", ACTIVE, " LIMIT ?2"]
            .concat();
        let mut stmt = conn.prepare_cached(&sql)?;
        for row in stmt.query_map(rusqlite::params![date, n], |r| read_summary(r, MatchKind::DateOfBirth))? {
            found.add(row?);
        }
    }
    if !plan.name_words.is_empty() {
        name_candidates(conn, plan, n, &mut found)?;
    }
    Ok(sorted(found.0.into_values().collect(), limit))
}

/// A range of one look-up kind: `[low, high)`.
fn lookup_range(
    conn: &Connection,
    kind: &str,
    low: &str,
    high: &str,
    n: i64,
    classify: impl Fn(&str) -> MatchKind,
    found: &mut Found,
) -> CoreResult<()> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, l.value FROM patient_lookup l CROSS JOIN patients p ON p.id = l.patient_id
         WHERE l.kind = ?1 AND l.value >= ?2 AND l.value < ?3 AND {ACTIVE} LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params![kind, low, high, n], |r| {
        let value: String = r.get(10)?;
        read_summary(r, classify(&value))
    })?;
    for row in rows {
        found.add(row?);
    }
    Ok(())
}

/// Exact number (also the same last nine digits, so `+33 6 12 34 56 78` finds `06 12 34 56 78`), then the
/// start and the end of numbers.
fn phone_candidates(conn: &Connection, digits: &str, n: i64, found: &mut Found) -> CoreResult<()> {
    if digits.len() >= 6 {
        let next = format!("{digits}\u{1}");
        lookup_range(conn, LOOKUP_PHONE, digits, &next, n, |_| MatchKind::Phone, found)?;
    }
    if digits.len() >= NATIONAL_DIGITS {
        let national = reversed(&digits[digits.len() - NATIONAL_DIGITS..]);
        lookup_range(conn, LOOKUP_PHONE_REV, &national, &prefix_end(&national), n, |_| MatchKind::Phone, found)?;
    }
    if digits.len() >= MIN_PARTIAL_DIGITS {
        let start_kind = |value: &str| if value == digits { MatchKind::Phone } else { MatchKind::PhoneStart };
        lookup_range(conn, LOOKUP_PHONE, digits, &prefix_end(digits), n, start_kind, found)?;
        let rev = reversed(digits);
        let end_kind = |value: &str| if value == rev { MatchKind::Phone } else { MatchKind::PhoneEnd };
        lookup_range(conn, LOOKUP_PHONE_REV, &rev, &prefix_end(&rev), n, end_kind, found)?;
    }
    Ok(())
}

/// Whether every query word starts one of the words of the patient's names.
fn all_prefixes(query_words: &[String], search_names: &str) -> bool {
    query_words.iter().all(|q| words(search_names).any(|w| w.starts_with(q.as_str())))
}

fn name_kind(query_words: &[String], row: &SummaryRow) -> MatchKind {
    if all_prefixes(query_words, &row.search_names) { MatchKind::NamePrefix } else { MatchKind::NameSubstring }
}

/// A prefix range on one name column, optionally narrowed by a prefix of the other: `(column, prefix, second)`.
type Scan<'a> = (&'static str, &'a str, Option<(&'static str, &'a str)>);

/// Name matches. With a date among the words, the records born that day are filtered by name (a handful).
/// Otherwise: prefix ranges on the covering name indexes (one word: family or given name starts with it; two
/// or more: the first two words start the family and given names in either order, or the words together start
/// a compound family or given name), then the trigram index for words of three letters or more.
fn name_candidates(conn: &Connection, plan: &Plan, n: i64, found: &mut Found) -> CoreResult<()> {
    let all = &plan.name_words;
    let like: Vec<String> = all.iter().map(|w| format!("%{w}%")).collect();
    if let Some(date) = &plan.name_date {
        let mut sql = ["SELECT ", SUMMARY_COLUMNS, " FROM patients p WHERE p.date_of_birth = ? AND ", ACTIVE].concat();
        let mut values: Vec<&dyn ToSql> = vec![date];
        for pattern in &like {
            sql.push_str(" AND p.search_names LIKE ?");
            values.push(pattern);
        }
        sql.push_str(" LIMIT ?");
        values.push(&n);
        return collect_names(conn, &sql, &values, all, found);
    }
    let joined = all.join(" ");
    let mut scans: Vec<Scan<'_>> = Vec::new();
    if let [word] = all.as_slice() {
        scans.extend([("family_key", word.as_str(), None), ("given_key", word.as_str(), None)]);
    } else {
        let (a, b) = (all[0].as_str(), all[1].as_str());
        scans.extend([
            ("family_key", a, Some(("given_key", b))),
            ("family_key", b, Some(("given_key", a))),
            ("family_key", joined.as_str(), None),
            ("given_key", joined.as_str(), None),
        ]);
    }
    for (column, prefix, second) in scans {
        let high = prefix_end(prefix);
        // Only index columns are read inside: the scan stops after `n` rows whatever the number of matches.
        // SQL text is assembled from fixed column names and clauses only; every value is a bound parameter.
        let mut inner = format!(
            "SELECT local_rowid FROM patients WHERE {column} >= ? AND {column} < ? \
             AND deleted_at IS NULL AND merged_into IS NULL"
        );
        let mut values: Vec<&dyn ToSql> = vec![&prefix, &high];
        let second_high = second.map(|(_, p)| prefix_end(p));
        if let (Some((column2, prefix2)), Some(high2)) = (&second, &second_high) {
            inner.push_str(&[" AND ", column2, " >= ? AND ", column2, " < ?"].concat());
            values.extend([prefix2 as &dyn ToSql, high2]);
        }
        inner.push_str(" LIMIT ?");
        values.push(&n);
        let mut sql = ["SELECT ", SUMMARY_COLUMNS, " FROM patients p WHERE p.local_rowid IN (", &inner, ")"].concat();
        // Words beyond the two used by the index must appear somewhere in the names.
        if second.is_some() {
            for pattern in like.iter().skip(2) {
                sql.push_str(" AND p.search_names LIKE ?");
                values.push(pattern);
            }
        }
        collect_names(conn, &sql, &values, all, found)?;
    }
    let (long, short): (Vec<usize>, Vec<usize>) = (0..all.len()).partition(|&i| all[i].chars().count() >= MIN_TRIGRAM);
    if long.is_empty() {
        return Ok(());
    }
    // Each word is an FTS5 string (a substring for the trigram tokenizer); quotes are doubled to stay literal.
    let expression =
        long.iter().map(|&i| format!("\"{}\"", all[i].replace('"', "\"\""))).collect::<Vec<_>>().join(" AND ");
    let mut sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM patient_name_search f CROSS JOIN patients p ON p.local_rowid = f.rowid
         WHERE patient_name_search MATCH ? AND {ACTIVE}"
    );
    let mut values: Vec<&dyn ToSql> = vec![&expression];
    for &i in &short {
        sql.push_str(" AND p.search_names LIKE ?");
        values.push(&like[i]);
    }
    sql.push_str(" LIMIT ?");
    values.push(&n);
    collect_names(conn, &sql, &values, all, found)
}

fn collect_names(
    conn: &Connection,
    sql: &str,
    values: &[&dyn ToSql],
    query_words: &[String],
    found: &mut Found,
) -> CoreResult<()> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(values, |r| read_summary(r, MatchKind::NameSubstring))?;
    for row in rows {
        let mut row = row?;
        let kind = name_kind(query_words, &row);
        row.summary.match_kind = kind;
        row.summary.rank = kind.rank();
        found.add(row);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_clinic_format_and_iso() {
        let d = |y, m, day| Some(jiff::civil::date(y, m, day));
        assert_eq!(parse_date("31/12/1980", DateFormat::DayMonthYear), d(1980, 12, 31));
        assert_eq!(parse_date("31.12.1980", DateFormat::DayMonthYear), d(1980, 12, 31));
        assert_eq!(parse_date("12-31-1980", DateFormat::MonthDayYear), d(1980, 12, 31));
        assert_eq!(parse_date("1980-12-31", DateFormat::MonthDayYear), d(1980, 12, 31));
        assert_eq!(parse_date("1980/12/31", DateFormat::YearMonthDay), d(1980, 12, 31));
        assert_eq!(parse_date("31/12/1980", DateFormat::MonthDayYear), None);
        assert_eq!(parse_date("31/12/80", DateFormat::DayMonthYear), None);
        assert_eq!(parse_date("garcia", DateFormat::DayMonthYear), None);
    }

    #[test]
    fn a_query_is_read_every_way_it_could_be_meant() {
        let plan = Plan::parse("+33 6 12-34", DateFormat::DayMonthYear);
        assert_eq!(plan.phone_digits.as_deref(), Some("3361234"));
        assert!(plan.name_words.is_empty());
        let plan = Plan::parse("García  jos 02/03/1980", DateFormat::DayMonthYear);
        assert_eq!(plan.name_words, ["garcia", "jos"]);
        assert_eq!(plan.name_date.as_deref(), Some("1980-03-02"));
        assert_eq!(plan.phone_digits, None);
        let plan = Plan::parse("main-d01-000123", DateFormat::DayMonthYear);
        assert_eq!(plan.id.as_deref(), Some("MAIND01000123"));
        let plan = Plan::parse("02/03/1980", DateFormat::DayMonthYear);
        assert_eq!(plan.date_of_birth.as_deref(), Some("1980-03-02"));
    }
}
