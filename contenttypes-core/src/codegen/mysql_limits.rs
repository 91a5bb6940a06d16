//! MySQL's (InnoDB, utf8mb4) size limits on columns, keys and rows, checked at the
//! declaration so that a model's DDL runs on every database.

use super::ast::*;
use super::ctxt::Ctxt;

// --- MySQL's storage limits ----------------------------------------------------------------
//
// InnoDB with utf8mb4 (4 bytes a character), as the framework creates MySQL tables. The
// other databases are more lenient; a model must fit all three.

/// The longest `varchar` MySQL has, in characters of utf8mb4.
pub(crate) const MYSQL_MAX_VARCHAR: u32 = 16383;
/// The most bytes an index key may have.
pub(super) const MYSQL_MAX_KEY_BYTES: u64 = 3072;
/// The most bytes a row may have, text and blob columns counting 12.
pub(super) const MYSQL_MAX_ROW_BYTES: u64 = 65535;
/// InnoDB keeps a row in a (16 KiB) page: its columns that cannot move off the page must fit
/// in less than this many bytes (MariaDB's "Row size too large (> 8126)").
pub(super) const INNODB_MAX_INLINE_BYTES: u64 = 8126;

/// How MySQL stores a value of a column.
#[derive(Clone, Copy)]
pub(super) enum Storage {
    /// Always this many bytes.
    Fixed(u64),
    /// Up to this many bytes, with a length prefix.
    Variable(u64),
    /// Text or blob: off the row.
    Blob,
}

pub(super) fn mysql_storage(column: &ColumnSpec) -> Storage {
    use crate::ir::SqlType;
    match column.base.sql_type(column.max_length, column.decimal) {
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
        SqlType::Varchar(n) => Storage::Variable(4 * u64::from(n)),
        // char(32), variable-length in utf8mb4.
        SqlType::Uuid => Storage::Variable(4 * 32),
        SqlType::Text | SqlType::Binary | SqlType::Json => Storage::Blob,
        // The user's `db_type`: not known here, not counted.
        SqlType::Custom => Storage::Fixed(0),
    }
}

/// The `max_length` rule: what every database can declare.
pub(crate) fn check_max_length(n: u32) -> Result<(), String> {
    if n == 0 {
        return Err("`max_length` must be at least 1".into());
    }
    if n > MYSQL_MAX_VARCHAR {
        return Err(format!(
            "`max_length` must be at most {MYSQL_MAX_VARCHAR} (MySQL's longest varchar in utf8mb4); \
             drop it for unbounded text"
        ));
    }
    Ok(())
}

pub(super) fn check_mysql_sizes(spec: &ModelSpec, ctxt: &mut Ctxt) {
    let columns: Vec<(&FieldSpec, &ColumnSpec)> = spec.columns().collect();
    let nullable = columns.iter().filter(|(_, c)| c.nullable).count() as u64;
    let null_bitmap = nullable.div_ceil(8);

    // The row limit, and InnoDB's page limit.
    let mut row = null_bitmap;
    let mut inline = 5 + 13 + null_bitmap; // record header, transaction id and roll pointer
    for (field, column) in &columns {
        let (row_bytes, inline_bytes) = match mysql_storage(column) {
            Storage::Fixed(n) => (n, n),
            Storage::Variable(n) if n < 256 => (n + 1, n + 1),
            Storage::Variable(n) => (n + 2, 22),
            Storage::Blob => (12, 22),
        };
        row += row_bytes;
        inline += inline_bytes;
        if row > MYSQL_MAX_ROW_BYTES {
            ctxt.error_spanned_by(
                &field.ident,
                format!(
                    "with this column a row needs up to {row} bytes on MySQL, which allows {MYSQL_MAX_ROW_BYTES} \
                     (a `max_length` character takes 4 bytes in utf8mb4); lower the `max_length`s or make some \
                     columns unbounded `String`s"
                ),
            );
            return;
        }
        if inline >= INNODB_MAX_INLINE_BYTES {
            ctxt.error_spanned_by(
                &field.ident,
                format!(
                    "with this column a row needs up to {inline} bytes inside an InnoDB page on MySQL, which \
                     allows less than {INNODB_MAX_INLINE_BYTES}; strings with `max_length` of at most 63 stay \
                     in the page: use fewer of them, or larger or unbounded ones"
                ),
            );
            return;
        }
    }

    // Index keys.
    let key_bytes = |c: &ColumnSpec| match mysql_storage(c) {
        Storage::Fixed(n) | Storage::Variable(n) => n,
        Storage::Blob => 0, // refused elsewhere
    };
    let too_long = |bytes: u64| {
        format!(
            "a MySQL index key holds at most {MYSQL_MAX_KEY_BYTES} bytes and this one needs {bytes} \
             (a `max_length` character takes 4 bytes in utf8mb4: at most 768 characters)"
        )
    };
    for (field, column) in &columns {
        let indexed =
            column.primary_key || column.unique || column.index || column.foreign_key.is_some();
        let bytes = key_bytes(column);
        if indexed && bytes > MYSQL_MAX_KEY_BYTES {
            ctxt.error_spanned_by(&field.ident, too_long(bytes));
        }
    }
    for list in spec.unique_together.iter().chain(&spec.index_together) {
        let bytes: u64 = list
            .iter()
            .filter_map(|i| spec.column_field(i))
            .map(|(_, c)| key_bytes(c))
            .sum();
        if bytes > MYSQL_MAX_KEY_BYTES {
            if let Some(first) = list.first() {
                ctxt.error_spanned_by(first, too_long(bytes));
            }
        }
    }
    for (_, gfk) in spec.generic_foreign_keys() {
        if let (Some((_, ct)), Some((of, oid))) = (
            spec.column_field(&gfk.ct_field),
            spec.column_field(&gfk.fk_field),
        ) {
            let bytes = key_bytes(ct) + key_bytes(oid);
            if bytes > MYSQL_MAX_KEY_BYTES && key_bytes(oid) <= MYSQL_MAX_KEY_BYTES {
                ctxt.error_spanned_by(
                    &of.ident,
                    format!(
                        "{}; the object id is indexed with the content type",
                        too_long(bytes)
                    ),
                );
            }
        }
    }
}
