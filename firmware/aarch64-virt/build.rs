//! Links with `link.ld` and tells the program which target it was built
//! for (`../link_script.rs`).

include!("../link_script.rs");

fn main() {
    link_with_own_script();
}
