// Shared by the build scripts of the firmware binaries that link with a
// `link.ld` of their own (`include!`d): links the binary with it and names
// the target triple in `FIRMWARE_TARGET`, which reports print.

fn link_with_own_script() {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    // Only the binary is linked with the script; an absolute path keeps it
    // independent of the directory the linker runs in.
    println!(
        "cargo:rustc-link-arg-bins=-T{}",
        dir.join("link.ld").display()
    );
    println!("cargo:rerun-if-changed=link.ld");
    println!(
        "cargo:rustc-env=FIRMWARE_TARGET={}",
        std::env::var("TARGET").unwrap()
    );
    println!("cargo:rerun-if-changed=../link_script.rs");
}
