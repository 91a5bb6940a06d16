//! [`ObjectIds`]: rows of one content type with their object ids, each id once, for the
//! reads that load generic foreign key targets in batches.

use contenttypes_core::ir::SqlType;
use contenttypes_core::keys::{Key, PkValue};

use crate::field::Value;
use crate::fxhash::FxHashMap;
use crate::gfk::GenericForeignKeyField;
use crate::object::GenericObject;

/// The rows of one content type in a generic foreign key prefetch, with their object ids
/// once each: one hash per row, one key conversion per distinct id.
pub(crate) struct ObjectIds<'r, O> {
    /// The object ids, each once, in first-seen order.
    pub(crate) keys: Vec<&'r O>,
    places: FxHashMap<&'r O, usize>,
    /// Each row: its index, and its object id's place in `keys`.
    pub(crate) members: Vec<(usize, usize)>,
}

impl<'r, O: Key> ObjectIds<'r, O> {
    /// The rows (`len` of them, each a content type id and an object id, either unset) grouped
    /// by content type in first-seen order, each group's object ids once; rows with either
    /// unset are left out.
    pub(crate) fn by_content_type(
        len: usize,
        rows: impl Iterator<Item = (Option<i32>, Option<&'r O>)>,
    ) -> Vec<(i32, ObjectIds<'r, O>)> {
        let mut groups: Vec<(i32, ObjectIds<'r, O>)> = Vec::new();
        for (i, (ct, oid)) in rows.enumerate() {
            let (Some(ct), Some(oid)) = (ct, oid) else {
                continue;
            };
            let group = match groups.iter().position(|(c, _)| *c == ct) {
                Some(g) => g,
                None => {
                    groups.push((ct, ObjectIds::with_capacity(len - i)));
                    groups.len() - 1
                }
            };
            groups[group].1.add(i, oid);
        }
        groups
    }

    /// For at most `rows` rows (allocated once: the maps do not grow row by row).
    pub(crate) fn with_capacity(rows: usize) -> Self {
        ObjectIds {
            keys: Vec::with_capacity(rows),
            places: FxHashMap::with_capacity_and_hasher(rows, Default::default()),
            members: Vec::with_capacity(rows),
        }
    }

    pub(crate) fn add(&mut self, row: usize, oid: &'r O) {
        let place = match self.places.get(oid) {
            Some(&place) => place,
            None => {
                self.keys.push(oid);
                self.places.insert(oid, self.keys.len() - 1);
                self.keys.len() - 1
            }
        };
        self.members.push((row, place));
    }

    /// Each distinct object id in the target key column's type (`None` when it cannot be
    /// one: such a row's target is missing).
    pub(crate) fn values(&self, sql_type: SqlType) -> Vec<Option<Value>> {
        self.keys
            .iter()
            .map(|k| Value::from_key(sql_type, &k.to_pk_value()))
            .collect()
    }

    /// Stores each row's target (`found` by place; missing past its end) in its cache, and
    /// says how many rows found one and how many did not.
    pub(crate) fn store<M: GenericForeignKeyField<K, ObjectId = O>, const K: u64>(
        &self,
        rows: &[M],
        ct: i32,
        found: &[Option<GenericObject>],
    ) -> (usize, usize) {
        let ids: Vec<PkValue> = self.keys.iter().map(|k| k.to_pk_value()).collect();
        let mut hit = 0;
        for &(row, place) in &self.members {
            let target = found.get(place).cloned().flatten();
            hit += usize::from(target.is_some());
            rows[row].__cache().store(ct, ids[place].clone(), target);
        }
        (hit, self.members.len() - hit)
    }
}
