use contenttypes::prelude::*;

#[derive(Model)]
pub enum Product {
    Book,
    Game,
}

fn main() {}
