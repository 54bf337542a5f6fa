//! Links with `link.ld` and tells the program which target it was built for.

use std::{env, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    // Only the binary is linked with the script; an absolute path keeps it
    // independent of the directory the linker runs in.
    println!(
        "cargo:rustc-link-arg-bins=-T{}",
        dir.join("link.ld").display()
    );
    println!("cargo:rerun-if-changed=link.ld");
    println!(
        "cargo:rustc-env=FIRMWARE_TARGET={}",
        env::var("TARGET").unwrap()
    );
}
