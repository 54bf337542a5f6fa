//! Links the kernel with the script for its architecture and tells the
//! program which target it was built for.

use std::{env, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap();
    // pc-machine's build script puts its x86_64 script on the search path.
    match arch.as_str() {
        "x86_64" => println!("cargo:rustc-link-arg-bins=-Tlink-x86_64.ld"),
        "x86" => {
            let script = dir.join("link-x86.ld");
            println!("cargo:rustc-link-arg-bins=-T{}", script.display());
            println!("cargo:rerun-if-changed=link-x86.ld");
        }
        other => panic!("x86-pc is an x86 kernel, not one for {other}"),
    }
    // rustc links x86_64-unknown-none as a static PIE (and i686 Linux
    // targets as a PIE), but QEMU's PVH and multiboot loaders place the
    // segments at their link addresses and apply no relocations: link a plain
    // static executable, all addresses resolved by the linker.
    println!("cargo:rustc-link-arg-bins=--no-pie");
    println!("cargo:rustc-link-arg-bins=-static");
    println!(
        "cargo:rustc-env=FIRMWARE_TARGET={}",
        env::var("TARGET").unwrap()
    );
}
