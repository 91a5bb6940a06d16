//! MySQL's (InnoDB, utf8mb4) size limits on columns, keys and rows, checked at the
//! declaration so that a model's DDL runs on every database.

use super::ast::*;
use super::ctxt::Ctxt;
use crate::ir::SqlType;
use crate::mysql_keys::{self, KeyTooLong, Storage, MAX_KEY_BYTES};

// --- MySQL's storage limits ----------------------------------------------------------------
//
// InnoDB with utf8mb4 (4 bytes a character), as the framework creates MySQL tables. The
// other databases are more lenient; a model must fit all three.

/// The longest `varchar` MySQL has, in characters of utf8mb4.
pub(crate) const MYSQL_MAX_VARCHAR: u32 = 16383;
/// The most bytes a row may have, text and blob columns counting 12.
pub(super) const MYSQL_MAX_ROW_BYTES: u64 = 65535;
/// InnoDB keeps a row in a (16 KiB) page: its columns that cannot move off the page must fit
/// in less than this many bytes (MariaDB's "Row size too large (> 8126)").
pub(super) const INNODB_MAX_INLINE_BYTES: u64 = 8126;

pub(super) fn mysql_storage(column: &ColumnSpec) -> Storage {
    mysql_keys::storage(column_type(column))
}

fn column_type(column: &ColumnSpec) -> SqlType {
    column.base.sql_type(column.max_length, column.decimal)
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

    // Index keys, unbounded text by its prefix (`crate::mysql_keys`).
    let key = |fields: &[&ColumnSpec]| {
        let types: Vec<SqlType> = fields.iter().map(|c| column_type(c)).collect();
        mysql_keys::key_bytes(&types).map_err(|KeyTooLong { bytes }| {
            let text = types.iter().any(|t| mysql_keys::indexed_by_prefix(*t));
            format!(
                "a MySQL index key holds at most {MAX_KEY_BYTES} bytes and this one needs {bytes} \
                 (a `max_length` character takes 4 bytes in utf8mb4: at most 768 characters{})",
                if text {
                    "; an unbounded `String` takes a prefix of at least one character"
                } else {
                    ""
                }
            )
        })
    };
    for (field, column) in &columns {
        let indexed =
            column.primary_key || column.unique || column.index || column.foreign_key.is_some();
        if let (true, Err(e)) = (indexed, key(&[column])) {
            ctxt.error_spanned_by(&field.ident, e);
        }
    }
    for list in spec.unique_together.iter().chain(&spec.index_together) {
        let fields: Vec<&ColumnSpec> = list
            .fields
            .iter()
            .filter_map(|i| spec.column_field(i))
            .map(|(_, c)| c)
            .collect();
        if let (Err(e), Some(first)) = (key(&fields), list.fields.first()) {
            ctxt.error_spanned_by(first, e);
        }
    }
    for (_, gfk) in spec.generic_foreign_keys() {
        if let (Some((_, ct)), Some((of, oid))) = (
            spec.column_field(&gfk.ct_field),
            spec.column_field(&gfk.fk_field),
        ) {
            // An object id too long on its own is reported at its column.
            if let (Err(e), Ok(_)) = (key(&[ct, oid]), key(&[oid])) {
                ctxt.error_spanned_by(
                    &of.ident,
                    format!("{e}; the object id is indexed with the content type"),
                );
            }
        }
    }
}
