//! serde for the cache fields of a model (feature `serde`), so a model with generic foreign
//! keys and generic relations derives `Serialize` and `Deserialize` with nothing to add:
//! the caches are not data. They serialize as nothing (`null` in JSON, the unit value in
//! other formats) and deserialize from anything into an empty cache, which the first access
//! fills from the database as usual.

use serde::de::{Deserialize, Deserializer, IgnoredAny};
use serde::ser::{Serialize, Serializer};

use crate::gfk::GenericForeignKey;
use crate::relation::GenericRelation;

impl Serialize for GenericForeignKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de> Deserialize<'de> for GenericForeignKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        Ok(GenericForeignKey::default())
    }
}

impl<C> Serialize for GenericRelation<C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de, C> Deserialize<'de> for GenericRelation<C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        Ok(GenericRelation::default())
    }
}
