//! Variant selection for real targets, with the feature lists the compiler
//! reports for them, queried the way the runtime crate's build script does.
//!
//! It also shows why the build script asks with `RUSTC_BOOTSTRAP=1`: stable
//! rustc hides the features that decide RISC-V and ARM conventions.

use std::process::Command;

use interrupt_abi_codegen::abi::selected_ids;
use interrupt_abi_codegen::target;

fn rustc() -> Command {
    Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
}

fn features(target: &str, bootstrap: bool) -> Vec<String> {
    features_with(target, bootstrap, &[])
}

fn features_with(target: &str, bootstrap: bool, flags: &[&str]) -> Vec<String> {
    let mut cmd = rustc();
    cmd.args(["--print", "cfg", "--target", target]).args(flags);
    if bootstrap {
        cmd.env("RUSTC_BOOTSTRAP", "1");
    } else {
        cmd.env_remove("RUSTC_BOOTSTRAP");
    }
    let out = cmd.output().expect("rustc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.strip_prefix("target_feature=\"")?
                .strip_suffix('"')
                .map(String::from)
        })
        .collect()
}

/// The target spec as JSON, asked as the runtime crate's build script asks.
fn spec(target: &str) -> String {
    let out = rustc()
        .args(["-Z", "unstable-options", "--print", "target-spec-json"])
        .args(["--target", target])
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .expect("rustc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ids(target: &str, arch: &str) -> Vec<&'static str> {
    ids_with(target, arch, &[])
}

fn ids_with(target: &str, arch: &str, flags: &[&str]) -> Vec<&'static str> {
    let mut f = features_with(target, true, flags);
    let spec = spec(target);
    if target::spec_is_soft_float(&spec) && !f.iter().any(|f| f == "soft-float") {
        f.push("soft-float".into());
    }
    let abi = target::spec_value(&spec, "llvm-abiname").unwrap_or_default();
    selected_ids(arch, abi, &f.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn each_target_gets_the_convention_of_its_body() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("x86_64-unknown-none", "x86_64", &["x86_64_soft"]),
        ("x86_64-unknown-linux-gnu", "x86_64", &["x86_64_sse"]),
        ("i686-unknown-linux-gnu", "x86", &["x86_fxsr"]),
        ("i586-unknown-linux-gnu", "x86", &["x86_x87"]),
        // Soft-float bodies touch no FP state, whatever the CPU has.
        ("i686-unknown-uefi", "x86", &["x86_soft"]),
        (
            "armv7a-none-eabi",
            "arm",
            &["arm_soft_float", "armv6_soft_float"],
        ),
        (
            "armv6-none-eabi",
            "arm",
            &["arm_soft_float", "armv6_soft_float"],
        ),
        ("riscv32imac-unknown-none-elf", "riscv32", &["rv32i"]),
        ("riscv32imafc-unknown-none-elf", "riscv32", &["rv32if"]),
        ("riscv32e-unknown-none-elf", "riscv32", &["rv32e"]),
        ("riscv64gc-unknown-none-elf", "riscv64", &["rv64id"]),
        ("armv4t-none-eabi", "arm", &["arm_soft_float"]),
        ("thumbv4t-none-eabi", "arm", &["arm_soft_float"]),
        (
            "armv7a-none-eabihf",
            "arm",
            &["arm_vfp_d32", "armv6_vfp_d32"],
        ),
        (
            "armv7r-none-eabihf",
            "arm",
            &["arm_vfp_d16", "armv6_vfp_d16"],
        ),
        ("thumbv7m-none-eabi", "arm", &["cortex_m"]),
        ("thumbv7em-none-eabihf", "arm", &["cortex_m"]),
        ("aarch64-unknown-none", "aarch64", &["aarch64_simd"]),
        (
            "aarch64-unknown-none-softfloat",
            "aarch64",
            &["aarch64_soft"],
        ),
    ];
    for (target, arch, want) in cases {
        assert_eq!(ids(target, arch), *want, "{target}");
    }
}

/// An FPU enabled by flags on a soft-float target: the body may use every FP
/// register without saving any, so the entry saves all of them.
#[test]
fn soft_float_targets_with_an_fpu_save_every_fp_register() {
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "riscv32imac-unknown-none-elf",
            "riscv32",
            "+f",
            &["rv32if_all"],
        ),
        (
            "riscv32imac-unknown-none-elf",
            "riscv32",
            "+d",
            &["rv32id_all"],
        ),
        (
            "riscv64imac-unknown-none-elf",
            "riscv64",
            "+d",
            &["rv64id_all"],
        ),
    ];
    for (target, arch, feature, want) in cases {
        let flag = format!("-Ctarget-feature={feature}");
        assert_eq!(
            ids_with(target, arch, &[&flag]),
            *want,
            "{target} {feature}"
        );
    }
}

#[test]
fn stable_cfg_alone_would_pick_the_wrong_convention() {
    let stable = features("riscv64gc-unknown-none-elf", false);
    let stable: Vec<&str> = stable.iter().map(String::as_str).collect();
    // Without `d`, a D-extension target would get the integer-only entry.
    if !stable.contains(&"d") {
        assert_eq!(selected_ids("riscv64", "lp64d", &stable), ["rv64i"]);
    }
    assert_eq!(ids("riscv64gc-unknown-none-elf", "riscv64"), ["rv64id"]);
}
