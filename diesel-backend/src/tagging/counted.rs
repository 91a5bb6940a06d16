//! A row of a model followed by a count: what `most_common` and `similar_objects` read.

use diesel::deserialize::QueryableByName;

use crate::backend::SupportedBackend;
use crate::columns::RowRef;
use crate::field::FieldType;
use crate::model::Model;

/// A row of a model followed by a count.
pub(super) struct Counted<T>(pub(super) T, pub(super) i64);

impl<DB: SupportedBackend, T: Model> QueryableByName<DB> for Counted<T> {
    fn build<'a>(row: &impl diesel::row::NamedRow<'a, DB>) -> diesel::deserialize::Result<Self> {
        let reader = RowRef::<_, DB>::new(row);
        let object = T::__read(&reader)?;
        let count = i64::__read(&reader, T::DEF.table.columns.len())?;
        Ok(Counted(object, count))
    }
}
