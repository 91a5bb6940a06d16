use contenttypes::prelude::*;

// Django's contenttypes.E005: 101 characters (100 is the limit).

#[derive(Model)]
#[model(app_label = "shop")]
pub struct AModelNameThatIsMuchTooLongForTheContentTypeTableWhichStoresModelNamesInAVarcharOfOneHundredCharsXYZW {
    pub id: i64,
}

fn main() {}
