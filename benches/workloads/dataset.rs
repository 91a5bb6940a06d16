//! The dataset, generated in memory (deterministically) before anything is timed: at scale 1,
//! 200 tags, 10,000 articles, 10,000 videos, 10,000 photos and 150,000 tagged items.

/// The three target models, in the order the items are generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Article,
    Video,
    Photo,
}

pub const KINDS: [Kind; 3] = [Kind::Article, Kind::Video, Kind::Photo];

/// One tagged item: the tag's number (0-based; tag `n` is named `t{n}` and has key `n + 1`),
/// the target model and the target's key (1-based: rows are inserted in order into fresh tables).
#[derive(Clone, Copy, Debug)]
pub struct Item {
    pub tag: u32,
    pub kind: Kind,
    pub object: i64,
}

pub struct Dataset {
    pub tags: u32,
    /// Rows of each target model.
    pub objects: i64,
    /// In insertion order (key `i + 1`): object by object, the three models interleaved, so
    /// any range of keys covers the three models.
    pub items: Vec<Item>,
}

/// A small linear congruential generator (Knuth's MMIX constants): the same data every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 31) as f64
    }
}

impl Dataset {
    pub fn generate(scale: f64) -> Dataset {
        let tags = 200;
        let objects = ((10_000.0 * scale).round() as i64).max(10);
        let mut rng = Lcg(0x5eed);
        let mut items = Vec::with_capacity(objects as usize * 15);
        let mut spreads = [0i64; 3];
        for object in 1..=objects {
            for (k, kind) in KINDS.into_iter().enumerate() {
                // 5 tags per object on average: 3 to 7, an odd object's spread mirrored on
                // the next one, so the mean is exactly 5.
                if object % 2 == 1 {
                    spreads[k] = (rng.next() % 5) as i64 - 2;
                }
                let count = if object % 2 == 1 {
                    5 + spreads[k]
                } else {
                    5 - spreads[k]
                };
                // Skewed towards the first tags (so "the most common tags" has an answer),
                // distinct per object.
                let mut chosen: Vec<u32> = Vec::with_capacity(count as usize);
                while chosen.len() < count as usize {
                    let u = rng.unit();
                    let tag = ((u * u) * f64::from(tags)) as u32;
                    if !chosen.contains(&tag) {
                        chosen.push(tag);
                    }
                }
                items.extend(chosen.into_iter().map(|tag| Item { tag, kind, object }));
            }
        }
        Dataset {
            tags,
            objects,
            items,
        }
    }

    /// The tags `(kind, object)` has, by number.
    pub fn tags_of(&self, kind: Kind, object: i64) -> Vec<u32> {
        // Items are grouped by object, then kind: find the group by binary search.
        let start = self
            .items
            .partition_point(|i| (i.object, i.kind) < (object, kind));
        self.items[start..]
            .iter()
            .take_while(|i| i.object == object && i.kind == kind)
            .map(|i| i.tag)
            .collect()
    }
}
