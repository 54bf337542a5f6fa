//! Link setup: riscv-rt's scripts on RISC-V, pc-machine's on x86_64, the
//! armv7-gic firmware's on classic ARM, none on Cortex-M (not booted),
//! and the C suite's object when xtask passes one.

use std::{env, fs, path::PathBuf};

include!("../firmware/riscv_features.rs");

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap();
    let target = env::var("TARGET").unwrap();
    // `cfg(bench_cortex_m)`: an M-profile target, only disassembled.
    println!("cargo::rustc-check-cfg=cfg(bench_cortex_m)");
    let m_profile = ["thumbv6m", "thumbv7m", "thumbv7em", "thumbv8m"];
    let cortex_m = m_profile.iter().any(|m| target.starts_with(m));
    if arch.starts_with("riscv") {
        // riscv-rt's link.x includes memory.x from the search path.
        fs::copy("memory.x", out.join("memory.x")).unwrap();
        println!("cargo:rustc-link-search={}", out.display());
        println!("cargo:rustc-link-arg-bins=-Tmemory.x");
        println!("cargo:rustc-link-arg-bins=-Tlink.x");
    } else if arch == "x86_64" {
        // pc-machine puts its script on the search path. QEMU's PVH loader
        // applies no relocations: a plain static executable.
        println!("cargo:rustc-link-arg-bins=-Tlink-x86_64.ld");
        println!("cargo:rustc-link-arg-bins=--no-pie");
        println!("cargo:rustc-link-arg-bins=-static");
    } else if cortex_m {
        println!("cargo:rustc-cfg=bench_cortex_m");
        println!("cargo:rustc-link-arg-bins=--entry=bench_start");
    } else {
        // Classic ARM runs on `virt` with arm-common's runtime, laid out as
        // the armv7-gic firmware is.
        let script = PathBuf::from("../firmware/armv7-gic/link.ld")
            .canonicalize()
            .unwrap();
        println!("cargo:rustc-link-arg-bins=-T{}", script.display());
        println!("cargo:rerun-if-changed={}", script.display());
    }
    println!("cargo:rerun-if-changed=memory.x");

    // `cfg(bench_fpu)`: a RISC-V target with the D extension or a
    // hard-float classic-ARM one, which get the `float` handler.
    println!("cargo::rustc-check-cfg=cfg(bench_fpu)");
    println!("cargo:rerun-if-changed=../firmware/riscv_features.rs");
    let arm_vfp = arch == "arm" && !cortex_m && target.ends_with("eabihf");
    if riscv_has_d(&target) || arm_vfp {
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
