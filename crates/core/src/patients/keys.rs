//! Search keys derived from a patient: folded names, phone digits, normalised identifiers and MRNs.
//!
//! The same functions fold what is stored and what is typed, so a search compares like with like. Folding
//! and identifier normalisation come from clinic-protocol, so the server's duplicate check agrees with this one.

pub use clinic_protocol::keys::{fold, normalise_id};

/// The words of a folded text.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|w| !w.is_empty())
}

/// Every name a patient goes by, folded and joined by spaces: what the trigram index holds.
pub fn search_names<'a>(given: &str, family: &str, others: impl IntoIterator<Item = &'a String>) -> String {
    let mut all = vec![fold(given), fold(family)];
    all.extend(others.into_iter().map(|n| fold(n)));
    all.retain(|n| !n.is_empty());
    all.join(" ")
}

/// The digits of a phone number, or `None` when it is not plausible: after removing spaces, dots,
/// dashes, slashes and parentheses, an optional leading `+` and then 6 to 15 digits.
pub fn phone_digits(number: &str) -> Option<String> {
    let compact: String =
        number.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '/' | '\u{a0}')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    let ok = (6..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| digits.to_owned())
}

/// How many trailing digits identify a number whatever the prefix (`+33 6…` and `06…` are one number).
pub const NATIONAL_DIGITS: usize = 9;

/// The reversed digits, for "ends with" look-ups as a prefix range.
pub fn reversed(digits: &str) -> String {
    digits.chars().rev().collect()
}

/// The exclusive upper bound of the range of strings starting with `prefix` (for B-tree range scans).
/// Keys hold only letters, digits and spaces, so appending the highest scalar value is a safe bound.
pub fn prefix_end(prefix: &str) -> String {
    let mut end = String::with_capacity(prefix.len() + 4);
    end.push_str(prefix);
    end.push(char::MAX);
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_digits_accept_common_formats_only() {
        assert_eq!(phone_digits("+33 6 12-34.56 78").as_deref(), Some("33612345678"));
        assert_eq!(phone_digits("(020) 7946 0018").as_deref(), Some("02079460018"));
        assert_eq!(phone_digits("12345"), None);
        assert_eq!(phone_digits("1234567890123456"), None);
        assert_eq!(phone_digits("06 12 ab 34"), None);
        assert_eq!(phone_digits("++331234567"), None);
    }

    #[test]
    fn prefix_bounds_cover_every_key_with_the_prefix() {
        assert!(prefix_end("garc").as_str() > "garcia zzz");
        assert!(prefix_end("garc").as_str() < "gard");
    }
}
