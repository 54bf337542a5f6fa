//! Puts `link-x86_64.ld` on the linker's search path of every program that
//! depends on this crate (`-Tlink-x86_64.ld` in its own build script).

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    println!("cargo:rustc-link-search={dir}");
    println!("cargo:rerun-if-changed=link-x86_64.ld");
}
