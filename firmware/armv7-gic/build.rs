//! Links with `link.ld` and tells the program its target triple and ARM
//! features (`cfg(arm_v6)`, ..., see `../arm-common/target_features.rs`).

use std::{env, path::PathBuf};

include!("../arm-common/target_features.rs");

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
    println!("cargo:rerun-if-changed=../arm-common/target_features.rs");
    emit_arm_cfgs();
}
