//! Migration versions in Diesel's shape, `YYYY-MM-DD-HHMMSS-XXXX` (UTC; `XXXX` a 4-hex-digit
//! sub-version), the shape `diesel migration generate` uses, so generated and hand-written
//! migrations interleave. Diesel orders migrations by the version string with the `-`
//! removed (string order), so a new version is always chosen after every existing one.

use std::fmt;

/// A point in time, in seconds since 1970-01-01 00:00:00 UTC.
pub type UnixTime = i64;

/// Diesel's version of a folder name: the part before the first `_`, without `-`
/// (`migrations_internals::version_from_string`).
pub fn diesel_version(folder: &str) -> String {
    folder.split('_').next().unwrap_or("").replace('-', "")
}

/// `YYYY-MM-DD-HHMMSS-XXXX`.
pub fn format_version(time: UnixTime, sub: u16) -> String {
    let (y, mo, d, h, mi, s) = civil(time);
    format!("{y:04}-{mo:02}-{d:02}-{h:02}{mi:02}{s:02}-{sub:04x}")
}

/// Why no version could be chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionError(pub String);

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VersionError {}

/// The version of a new migration made at `now`: `now` with sub-version 0, unless an
/// existing folder sorts at or after it (a clock behind the last migration, or several
/// migrations in one second); then the first version after the last one.
pub fn next_version(now: UnixTime, existing: &[String]) -> Result<String, VersionError> {
    let last = existing.iter().map(|f| diesel_version(f)).max();
    let candidate = format_version(now, 0);
    let Some(last) = last else {
        return Ok(candidate);
    };
    if diesel_version(&candidate) > last {
        return Ok(candidate);
    }
    // Start from the last version's own time when it has our shape (or Diesel's older
    // `YYYYMMDDHHMMSS`), and count up.
    let (mut time, mut sub) = match parse_digits(&last) {
        Some((t, Some(s))) => (t, u32::from(s) + 1),
        Some((t, None)) => (t, 0),
        None => (now, 0),
    };
    for _ in 0..4 {
        if sub > 0xffff {
            time += 1;
            sub = 0;
        }
        let v = format_version(time, sub as u16);
        if diesel_version(&v) > last {
            return Ok(v);
        }
        time += 1;
        sub = 0;
    }
    Err(VersionError(format!(
        "cannot choose a migration version after the existing version `{last}`; rename that folder \
         to Diesel's `YYYY-MM-DD-HHMMSS-XXXX` shape"
    )))
}

/// `YYYYMMDDHHMMSS` and an optional 4-hex-digit sub-version.
fn parse_digits(v: &str) -> Option<(UnixTime, Option<u16>)> {
    if v.len() < 14 || !v.is_char_boundary(14) {
        return None;
    }
    let (date, rest) = v.split_at(14);
    if !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| date[r].parse::<u32>().ok();
    let time = unix(
        n(0..4)? as i64,
        n(4..6)?,
        n(6..8)?,
        n(8..10)?,
        n(10..12)?,
        n(12..14)?,
    )?;
    let sub = match rest.len() {
        0 => None,
        4 => Some(u16::from_str_radix(rest, 16).ok()?),
        _ => return None,
    };
    Some((time, sub))
}

/// Reads a time given in an environment variable: seconds since the epoch
/// (`SOURCE_DATE_EPOCH`'s form) or `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_time(s: &str) -> Option<UnixTime> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return Some(secs);
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = s.split_once(['T', ' '])?;
    let mut d = date.split('-').map(|p| p.parse::<u32>().ok());
    let mut t = time.split(':').map(|p| p.parse::<u32>().ok());
    let (y, mo, dd) = (d.next()??, d.next()??, d.next()??);
    let (h, mi, sec) = (t.next()??, t.next()??, t.next()??);
    if d.next().is_some() || t.next().is_some() {
        return None;
    }
    unix(y as i64, mo, dd, h, mi, sec)
}

/// Seconds since the epoch of a UTC date and time, if valid.
fn unix(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<UnixTime> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UTC date and time of a point in time.
fn civil(time: UnixTime) -> (i64, u32, u32, u32, u32, u32) {
    let days = time.div_euclid(86_400);
    let secs = time.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_diesel_cli() {
        assert_eq!(format_version(0, 0), "1970-01-01-000000-0000");
        // 2026-11-22 10:30:05 UTC
        let t = parse_time("2026-11-22T10:30:05Z").unwrap();
        assert_eq!(t, 1_795_343_405);
        assert_eq!(format_version(t, 0x1a), "2026-11-22-103005-001a");
        assert_eq!(parse_time("1795343405"), Some(t));
        assert_eq!(parse_time("2024-02-29 23:59:59"), Some(1_709_251_199));
        assert_eq!(parse_time("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_time("soon"), None);
        assert_eq!(
            diesel_version("2026-11-22-103005-001a_add_x"),
            "20261122103005001a"
        );
    }

    #[test]
    fn next_version_sorts_after_every_existing_one() {
        let t = parse_time("2026-11-22T10:30:05Z").unwrap();
        assert_eq!(next_version(t, &[]).unwrap(), "2026-11-22-103005-0000");
        let existing = vec!["2026-11-22-103005-0000_initial".to_string()];
        assert_eq!(
            next_version(t, &existing).unwrap(),
            "2026-11-22-103005-0001"
        );
        // A clock behind the last migration.
        assert_eq!(
            next_version(t - 3600, &existing).unwrap(),
            "2026-11-22-103005-0001"
        );
        let full = vec!["2026-11-22-103005-ffff_x".to_string()];
        assert_eq!(next_version(t, &full).unwrap(), "2026-11-22-103006-0000");
        // Diesel's older shape and its initial setup folder.
        let old = vec![
            "00000000000000_diesel_initial_setup".to_string(),
            "20270101000000_hand_written".to_string(),
        ];
        let v = next_version(t, &old).unwrap();
        assert_eq!(v, "2027-01-01-000000-0000");
        assert!(diesel_version(&v).as_str() > "20270101000000");
        assert!(next_version(t, &["99999999999999999999_x".to_string()]).is_err());
    }
}
