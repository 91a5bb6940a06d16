//! MySQL's index keys (InnoDB, utf8mb4, as the framework creates MySQL tables): how many
//! bytes a column takes in a key, and the prefix an unbounded text column is indexed by.
//!
//! MySQL cannot index a `longtext` column whole: an index names a prefix of it
//! (`object_id(255)`). The DDL renderer writes the prefixes ([`index_prefixes`]) and the
//! derive's validation refuses a key that cannot fit, both from this one rule. The other
//! databases index text whole.
//!
//! An index over a prefix finds the same rows as one over the whole value (MySQL compares
//! the rows it finds), so a plain index may use one. A unique constraint or a primary key
//! may not: values that share a prefix would collide. The derive refuses those.

use crate::ir::SqlType;

/// The most bytes an index key may have.
pub const MAX_KEY_BYTES: u64 = 3072;

/// The most bytes a character takes in utf8mb4.
pub const BYTES_PER_CHAR: u64 = 4;

/// The longest prefix an unbounded text column is indexed by, in characters: longer than
/// the text form of every integer and UUID key and than Django's usual `max_length`, and
/// short enough to leave room in the key for the other columns. An index takes less when the
/// other columns leave less room.
pub const TEXT_PREFIX_CHARS: u64 = 255;

/// How MySQL stores a value of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// Always this many bytes.
    Fixed(u64),
    /// Up to this many bytes, with a length prefix.
    Variable(u64),
    /// Text or blob: off the row, indexable only by a prefix (text) or not at all.
    Blob,
}

/// How MySQL stores a value of `sql_type`.
pub fn storage(sql_type: SqlType) -> Storage {
    match sql_type {
        SqlType::Bool => Storage::Fixed(1),
        SqlType::SmallInt => Storage::Fixed(2),
        SqlType::Date => Storage::Fixed(3),
        SqlType::Integer | SqlType::Float => Storage::Fixed(4),
        SqlType::Time => Storage::Fixed(6),
        SqlType::BigInt | SqlType::Double | SqlType::DateTime | SqlType::DateTimeTz => {
            Storage::Fixed(8)
        }
        // 9 digits in 4 bytes, on each side of the point.
        SqlType::Decimal { digits, .. } => Storage::Fixed(u64::from(digits).div_ceil(9) * 4 + 4),
        SqlType::Varchar(n) => Storage::Variable(BYTES_PER_CHAR * u64::from(n)),
        // char(32), variable-length in utf8mb4.
        SqlType::Uuid => Storage::Variable(BYTES_PER_CHAR * 32),
        SqlType::Text | SqlType::Binary | SqlType::Json => Storage::Blob,
        // The user's `db_type`: not known here, not counted.
        SqlType::Custom => Storage::Fixed(0),
    }
}

/// Whether MySQL indexes a column of this type by a prefix: unbounded text.
pub fn indexed_by_prefix(sql_type: SqlType) -> bool {
    sql_type == SqlType::Text
}

/// An index whose columns do not fit in [`MAX_KEY_BYTES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyTooLong {
    /// The bytes the key needs (a prefixed column counted at one character).
    pub bytes: u64,
}

/// The prefix, in characters, each column of an index over columns of these types is
/// indexed by on MySQL: `None` for a column indexed whole, `Some(n)` for unbounded text,
/// which shares the room the other columns leave (at most [`TEXT_PREFIX_CHARS`] each).
/// Blobs and JSON count nothing: they cannot be indexed, which the derive refuses apart.
pub fn index_prefixes(columns: &[SqlType]) -> Result<Vec<Option<u64>>, KeyTooLong> {
    let whole: u64 = columns
        .iter()
        .map(|t| match storage(*t) {
            Storage::Fixed(n) | Storage::Variable(n) => n,
            Storage::Blob => 0,
        })
        .sum();
    let prefixed = columns.iter().filter(|t| indexed_by_prefix(**t)).count() as u64;
    let too_long = KeyTooLong {
        bytes: whole + prefixed * BYTES_PER_CHAR,
    };
    if whole > MAX_KEY_BYTES {
        return Err(too_long);
    }
    let chars = match prefixed {
        0 => 0,
        k => ((MAX_KEY_BYTES - whole) / (k * BYTES_PER_CHAR)).min(TEXT_PREFIX_CHARS),
    };
    if prefixed > 0 && chars == 0 {
        return Err(too_long);
    }
    Ok(columns
        .iter()
        .map(|t| indexed_by_prefix(*t).then_some(chars))
        .collect())
}

/// The bytes an index key over columns of these types takes on MySQL, prefixes included.
pub fn key_bytes(columns: &[SqlType]) -> Result<u64, KeyTooLong> {
    let prefixes = index_prefixes(columns)?;
    Ok(columns
        .iter()
        .zip(prefixes)
        .map(|(t, prefix)| match (storage(*t), prefix) {
            (_, Some(chars)) => chars * BYTES_PER_CHAR,
            (Storage::Fixed(n) | Storage::Variable(n), None) => n,
            (Storage::Blob, None) => 0,
        })
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use SqlType::*;

    #[test]
    fn text_is_indexed_by_a_prefix_that_fits_beside_the_other_columns() {
        assert_eq!(index_prefixes(&[Integer, Text]), Ok(vec![None, Some(255)]));
        assert_eq!(index_prefixes(&[Integer, BigInt]), Ok(vec![None, None]));
        // 3072 - 4 * 700 = 272 bytes left: 68 characters.
        assert_eq!(
            index_prefixes(&[Varchar(700), Text]),
            Ok(vec![None, Some(68)])
        );
        // Two text columns share the room.
        assert_eq!(
            index_prefixes(&[Varchar(700), Text, Text]),
            Ok(vec![None, Some(34), Some(34)])
        );
        assert_eq!(key_bytes(&[Integer, Text]), Ok(4 + 1020));
        assert_eq!(
            index_prefixes(&[Varchar(768), Text]),
            Err(KeyTooLong { bytes: 3076 })
        );
        assert_eq!(
            index_prefixes(&[Varchar(769)]),
            Err(KeyTooLong { bytes: 3076 })
        );
        assert_eq!(key_bytes(&[Varchar(768)]), Ok(3072));
    }
}
