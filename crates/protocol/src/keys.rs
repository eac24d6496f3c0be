//! Match keys both sides must compute alike: folded names and normalised identifiers, used by the desktop's
//! search and duplicate warning and by the server's check for patients registered twice on different desks.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds a name for matching: compatibility decomposition, accents removed, lower case, letters that do not
/// decompose spelt out (`ß`→`ss`, `ø`→`o`, `æ`→`ae`), apostrophes dropped (`O'Brien`→`obrien`), any other
/// punctuation made a space (`Jean-Pierre`→`jean pierre`), spaces collapsed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkd() {
        if is_combining_mark(c) || matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '´') {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            match c {
                'ß' | 'ẞ' => out.push_str("ss"),
                'æ' | 'Æ' => out.push_str("ae"),
                'œ' | 'Œ' => out.push_str("oe"),
                'ø' | 'Ø' => out.push('o'),
                'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
                'ł' | 'Ł' => out.push('l'),
                'þ' | 'Þ' => out.push_str("th"),
                'ı' => out.push('i'),
                _ => out.extend(c.to_lowercase()),
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// An identifier or MRN for look-up: letters and digits only, upper case (`ab 12-34` → `AB1234`).
pub fn normalise_id(value: &str) -> String {
    fold(value).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_case_and_punctuation() {
        assert_eq!(fold("José"), "jose");
        assert_eq!(fold("  GARCÍA  López "), "garcia lopez");
        assert_eq!(fold("Jean-Pierre"), "jean pierre");
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("Strauß"), "strauss");
        assert_eq!(fold("Søren Ærø"), "soren aero");
        assert_eq!(fold("Łukasz"), "lukasz");
        assert_eq!(fold("Nguyễn"), "nguyen");
        assert_eq!(fold("Ｊｏｓｅ"), "jose");
    }

    #[test]
    fn identifiers_are_compared_by_letters_and_digits() {
        assert_eq!(normalise_id("ab 12-34 c"), "AB1234C");
        assert_eq!(normalise_id("MAIN-D01-000123"), "MAIND01000123");
    }
}
