//! Package version orderings: RPM's `rpmvercmp` with epoch:version-release (`evr_string`) and
//! Debian's dpkg ordering (`debian_evr_string`).

use std::cmp::Ordering;

/// RPM's segment comparison: runs of digits compare numerically, runs of letters
/// lexically, a numeric run is newer than an alphabetic one, and separators only split.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        while i < a.len() && !a[i].is_ascii_alphanumeric() {
            i += 1;
        }
        while j < b.len() && !b[j].is_ascii_alphanumeric() {
            j += 1;
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let numeric = a[i].is_ascii_digit();
        let same_kind = |c: u8| if numeric { c.is_ascii_digit() } else { c.is_ascii_alphabetic() };
        let start_a = i;
        while i < a.len() && same_kind(a[i]) {
            i += 1;
        }
        let start_b = j;
        while j < b.len() && same_kind(b[j]) {
            j += 1;
        }
        let (seg_a, seg_b) = (&a[start_a..i], &b[start_b..j]);
        if seg_b.is_empty() {
            // Segments of different kinds: numbers are newer than letters.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let order = if numeric { compare_digits(seg_a, seg_b) } else { seg_a.cmp(seg_b) };
        if order != Ordering::Equal {
            return order;
        }
    }
    let rest_a = i < a.len();
    let rest_b = j < b.len();
    match (rest_a, rest_b) {
        (false, false) => Ordering::Equal,
        (false, true) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// Numeric comparison of digit runs of any length (leading zeros ignored).
fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    let trim = |s: &[u8]| -> usize { s.iter().take_while(|c| **c == b'0').count() };
    let (a, b) = (&a[trim(a)..], &b[trim(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `epoch:version-release` split the way rpm does it: the epoch is a leading run of digits
/// ended by `:` (absent epoch is not compared), the release follows the last `-`.
fn split_evr(evr: &str) -> (Option<&str>, &str, Option<&str>) {
    let digits = evr.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, rest) = if evr.as_bytes().get(digits) == Some(&b':') {
        let e = &evr[..digits];
        (Some(if e.is_empty() { "0" } else { e }), &evr[digits + 1..])
    } else {
        (None, evr)
    };
    match rest.rfind('-') {
        Some(dash) => (epoch, &rest[..dash], Some(&rest[dash + 1..])),
        None => (epoch, rest, None),
    }
}

fn compare_optional(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (Some(a), Some(b)) => rpmvercmp(a, b),
    }
}

/// Order two `evr_string` values (`1:2.3-4.el8`).
pub fn compare_rpm_evr(a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = split_evr(a);
    let (eb, vb, rb) = split_evr(b);
    compare_optional(ea, eb).then_with(|| rpmvercmp(va, vb)).then_with(|| compare_optional(ra, rb))
}

/// Order two Debian versions (`[epoch:]upstream[-revision]`) as dpkg does.
/// An epoch that is not a number is an error (dpkg rejects such versions too).
pub fn compare_debian_evr(a: &str, b: &str) -> Result<Ordering, String> {
    let (ea, ua, ra) = split_debian(a)?;
    let (eb, ub, rb) = split_debian(b)?;
    Ok(ea.cmp(&eb).then_with(|| dpkg_verrevcmp(ua, ub)).then_with(|| dpkg_verrevcmp(ra, rb)))
}

fn split_debian(v: &str) -> Result<(u64, &str, &str), String> {
    let v = v.trim();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, rest)) => (e.parse::<u64>().map_err(|_| format!("bad epoch in `{v}`"))?, rest),
        None => (0, v),
    };
    if rest.is_empty() {
        return Err(format!("empty version in `{v}`"));
    }
    Ok(match rest.rfind('-') {
        Some(dash) => (epoch, &rest[..dash], &rest[dash + 1..]),
        None => (epoch, rest, ""),
    })
}

/// dpkg's character weight in non-digit runs: `~` sorts before everything (even the end),
/// letters before other characters.
fn dpkg_order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

fn dpkg_verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit prefix, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ca = dpkg_order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let cb = dpkg_order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ca != cb {
                return ca.cmp(&cb);
            }
            if i < a.len() && !a[i].is_ascii_digit() {
                i += 1;
            }
            if j < b.len() && !b[j].is_ascii_digit() {
                j += 1;
            }
        }
        let start_a = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let start_b = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let order = compare_digits(&a[start_a..i], &b[start_b..j]);
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    #[test]
    fn rpmvercmp_cases() {
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.10", "1.9", Greater),
            ("1.0", "1.0.1", Less),
            ("1.0a", "1.0", Greater),
            ("1.0", "1.0a", Less),
            ("1a", "1.1", Less),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p10", Less),
            ("xyz10", "xyz10.1", Less),
            ("1.001", "1.1", Equal),
            ("abc", "abd", Less),
            ("1_0", "1.0", Equal),
            ("10", "9", Greater),
            ("123456789012345678901234567890", "123456789012345678901234567889", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn rpm_evr_cases() {
        let cases = [
            ("1:0", "2", Greater),
            ("0:2", "1:0", Less),
            ("1.2-3", "1.2-3", Equal),
            ("1.2-10", "1.2-9", Greater),
            ("1.2", "1.2-9", Less),
            ("0:1.2-1.el8", "1.2-1.el8", Greater),
            (":1.2", "0:1.2", Equal),
            ("2.17-326.el7_9", "2.17-325.el7", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare_rpm_evr(a, b), want, "{a} vs {b}");
        }
    }

    #[test]
    fn debian_cases() {
        let cases = [
            ("1.0~rc1", "1.0", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0~", "1.0", Less),
            ("1.0", "1.0+b1", Less),
            ("1:0", "2", Greater),
            ("1.10", "1.9", Greater),
            ("1.0-1", "1.0-1", Equal),
            ("1.0-1ubuntu1", "1.0-1", Greater),
            ("2.30-0ubuntu2", "2.30-0ubuntu10", Less),
            ("1.0a", "1.0", Greater),
            ("1.0a", "1.0+", Less),
            ("0:1.0", "1.0", Equal),
            ("7.4.052-1ubuntu3.1", "7.4.052-1ubuntu3", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare_debian_evr(a, b), Ok(want), "{a} vs {b}");
        }
        assert!(compare_debian_evr("x:1.0", "1.0").is_err());
        assert!(compare_debian_evr("1:", "1.0").is_err());
    }
}
