//! Link setup: riscv-rt's scripts on RISC-V, pc-machine's on x86_64,
//! and the C suite's object when xtask passes one.

use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap();
    if arch.starts_with("riscv") {
        // riscv-rt's link.x includes memory.x from the search path.
        fs::copy("memory.x", out.join("memory.x")).unwrap();
        println!("cargo:rustc-link-search={}", out.display());
        println!("cargo:rustc-link-arg-bins=-Tmemory.x");
        println!("cargo:rustc-link-arg-bins=-Tlink.x");
    } else {
        // pc-machine puts its script on the search path. QEMU's PVH loader
        // applies no relocations: a plain static executable.
        println!("cargo:rustc-link-arg-bins=-Tlink-x86_64.ld");
        println!("cargo:rustc-link-arg-bins=--no-pie");
        println!("cargo:rustc-link-arg-bins=-static");
    }
    println!("cargo:rerun-if-changed=memory.x");

    // `cfg(bench_fpu)`: a RISC-V target with the D extension, which gets the
    // `float` handler. Decided from the triple too, since a rustc that
    // hides unstable target features from `cfg` would drop it silently.
    println!("cargo::rustc-check-cfg=cfg(bench_fpu)");
    let target = env::var("TARGET").unwrap();
    let features = env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let isa = target.split('-').next().unwrap_or_default();
    let letters = isa
        .trim_start_matches("riscv32")
        .trim_start_matches("riscv64");
    let has_d = features.split(',').any(|f| f == "d") || letters.contains(['g', 'd']);
    if arch.starts_with("riscv") && has_d {
        println!("cargo:rustc-cfg=bench_fpu");
    }

    // The `c` contender: xtask compiles c/handlers.c with GCC or Clang and
    // names the object here; it defines the `bench_*` vectors.
    println!("cargo:rerun-if-env-changed=INTERRUPT_BENCH_C_OBJECT");
    if env::var_os("CARGO_FEATURE_C").is_some() {
        let object = env::var("INTERRUPT_BENCH_C_OBJECT")
            .expect("feature `c` needs INTERRUPT_BENCH_C_OBJECT (set by `cargo xtask bench`)");
        println!("cargo:rerun-if-changed={object}");
        println!("cargo:rustc-link-arg-bins={object}");
    }
}
