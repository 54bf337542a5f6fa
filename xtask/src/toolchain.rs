//! Toolchains that build the `firmware/` workspace for bare-metal targets.
//!
//! A target that rustup has installed is built with the ordinary stable
//! toolchain. Any other target (rustup cannot download targets here, and
//! tier-3 targets such as `riscv32e-unknown-none-elf` have no prebuilt `core`
//! anyway) is built with Debian's `rustc-web` 1.96, extracted from its `.deb`s
//! into `target/cross/`, which compiles `core` from its exact library source
//! with `-Zbuild-std`. Its `core` is built once per target into
//! `target/firmware/` and reused.
//!
//! ```text
//! let mut build = toolchain::firmware_build_command("riscv-virt", "riscv32imac-unknown-none-elf")?;
//! host::run(&mut build)?;
//! let elf = toolchain::firmware_elf("riscv-virt", "riscv32imac-unknown-none-elf");
//! ```

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::host;

/// Debian bookworm(-security) packages of rustc 1.96, the first release whose
/// naked functions handle `#[instruction_set]` correctly. `rustc-web` is the
/// compiler; `libstd-rust-web-1.96` holds `librustc_driver`; `libllvm22` its
/// LLVM; `libstd-rust-web-dev` the host `std` that build scripts and
/// proc-macros link against; `rust-web-src` the library source for `-Zbuild-std`.
const DEBIAN_RUST_PACKAGES: &[&str] = &[
    "rustc-web",
    "libstd-rust-web-1.96",
    "libllvm22",
    "libstd-rust-web-dev",
    "rust-web-src",
];

/// `-Zbuild-std` arguments: `core` (with `compiler_builtins`), whose `mem`
/// feature supplies `memcpy` and friends, which bare metal has no libc for.
pub const BUILD_STD_ARGS: &[&str] = &[
    "-Zbuild-std=core,compiler_builtins",
    "-Zbuild-std-features=compiler-builtins-mem",
];

/// Debian's extracted rustc, ready to be used as `RUSTC`.
#[derive(Debug, Clone)]
pub struct CrossToolchain {
    /// A wrapper script that runs the extracted rustc with its libraries.
    pub rustc: PathBuf,
    /// Root of the extracted packages (contains `usr/`).
    pub root: PathBuf,
}

/// The repository root (this crate lives in `<root>/xtask`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// Cache of downloaded `.deb`s and the extracted toolchain.
fn cross_dir() -> PathBuf {
    repo_root().join("target/cross")
}

/// Dedicated target directory of the firmware workspace: keeps the `core`
/// built per target between runs and apart from host builds.
pub fn firmware_target_dir() -> PathBuf {
    repo_root().join("target/firmware")
}

/// Path of the ELF that [`firmware_build_command`] produces. Each firmware package
/// has one binary, named like the package.
pub fn firmware_elf(package: &str, target: &str) -> PathBuf {
    firmware_target_dir()
        .join(target)
        .join("release")
        .join(package)
}

/// Makes Debian's rustc 1.96 available under `target/cross/`, downloading and
/// extracting its packages the first time.
pub fn ensure_cross_toolchain() -> Result<CrossToolchain> {
    let root = cross_dir().join("debian-rust");
    let toolchain = CrossToolchain {
        rustc: cross_dir().join("bin/rustc"),
        root: root.clone(),
    };
    if is_complete(&root) && toolchain.rustc.exists() {
        return Ok(toolchain);
    }
    println!(
        "setting up Debian's rustc in {} (first time)",
        cross_dir().display()
    );
    let debs = download_debs()?;
    extract_debs(&debs, &root)?;
    write_rustc_wrapper(&toolchain)?;
    check_toolchain(&toolchain)?;
    fs::write(complete_marker(&root), DEBIAN_RUST_PACKAGES.join("\n"))?;
    Ok(toolchain)
}

/// The marker is written last and lists the packages, so an interrupted
/// extraction or a changed package list starts over.
fn complete_marker(root: &Path) -> PathBuf {
    root.join(".complete")
}

fn is_complete(root: &Path) -> bool {
    fs::read_to_string(complete_marker(root)).is_ok_and(|s| s == DEBIAN_RUST_PACKAGES.join("\n"))
}

/// Downloads the packages not yet in `target/cross/debs`; returns all `.deb`s.
fn download_debs() -> Result<Vec<PathBuf>> {
    let dir = cross_dir().join("debs");
    fs::create_dir_all(&dir)?;
    let missing: Vec<&str> = DEBIAN_RUST_PACKAGES
        .iter()
        .copied()
        .filter(|package| find_deb(&dir, package).is_none())
        .collect();
    if !missing.is_empty() {
        println!("downloading {} (~140 MB)", missing.join(" "));
        host::apt_download(&missing, &dir)?;
    }
    DEBIAN_RUST_PACKAGES
        .iter()
        .map(|package| {
            find_deb(&dir, package)
                .with_context(|| format!("apt-get download did not produce {package}_*.deb"))
        })
        .collect()
}

/// `<dir>/<package>_<version>_<arch>.deb`, if downloaded.
fn find_deb(dir: &Path, package: &str) -> Option<PathBuf> {
    let prefix = format!("{package}_");
    fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with(&prefix) && name.ends_with(".deb")
        })
}

/// Unpacks all `.deb`s into one fresh tree at `root`, as if installed there.
fn extract_debs(debs: &[PathBuf], root: &Path) -> Result<()> {
    if root.exists() {
        fs::remove_dir_all(root)?;
    }
    fs::create_dir_all(root)?;
    for deb in debs {
        println!(
            "extracting {}",
            deb.file_name().unwrap_or_default().display()
        );
        host::run(Command::new("dpkg-deb").arg("-x").arg(deb).arg(root))?;
    }
    Ok(())
}

/// `target/cross/bin/rustc`: the extracted rustc finds its sysroot from its own
/// path, but its shared libraries are not in the system's search path.
fn write_rustc_wrapper(toolchain: &CrossToolchain) -> Result<()> {
    let usr = toolchain.root.join("usr");
    let script = format!(
        "#!/bin/sh\n\
         # Debian's rustc-web, extracted by `cargo xtask` (xtask/src/toolchain.rs).\n\
         LD_LIBRARY_PATH=\"{lib}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}\" exec \"{rustc}\" \"$@\"\n",
        lib = usr.join("lib/x86_64-linux-gnu").display(),
        rustc = usr.join("bin/rustc").display(),
    );
    let wrapper = &toolchain.rustc;
    fs::create_dir_all(wrapper.parent().expect("wrapper has a directory"))?;
    fs::write(wrapper, script)?;
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(wrapper, fs::Permissions::from_mode(0o755))?;
    Ok(())
}

/// Fails early, with the reason, if the extracted tree cannot build firmware.
fn check_toolchain(toolchain: &CrossToolchain) -> Result<()> {
    let rustlib = toolchain.root.join("usr/lib/rustlib");
    // `-Zbuild-std` looks for the source here; the package links it to
    // `usr/src/rustc-<version>`.
    let core_src = rustlib.join("src/rust/library/core/src/lib.rs");
    if !core_src.exists() {
        bail!(
            "{} is missing: is rust-web-src extracted?",
            core_src.display()
        );
    }
    let host_std = rustlib.join("x86_64-unknown-linux-gnu/lib");
    if !host_std.exists() {
        bail!(
            "{} is missing: is libstd-rust-web-dev extracted?",
            host_std.display()
        );
    }
    let out = Command::new(&toolchain.rustc).arg("-vV").output()?;
    if !out.status.success() {
        bail!(
            "the extracted rustc does not run: {}\n\
             (libllvm22 needs the libraries listed by `apt-cache show libllvm22`, \
             e.g. libz3-4, libedit2, libxml2, libffi8)",
            String::from_utf8_lossy(&out.stderr).trim(),
        );
    }
    let version = String::from_utf8_lossy(&out.stdout);
    println!("{}", version.lines().next().unwrap_or_default());
    Ok(())
}

/// Whether rustup has the standard library of `target` installed.
fn rustup_has_target(target: &str) -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|out| {
            out.status.success()
                && String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .any(|l| l.trim() == target)
        })
}

/// The linker for the Debian toolchain, which ships none: the host rustup
/// toolchain's `rust-lld`, else an `ld.lld` on `PATH` (Debian package `lld`).
pub fn find_lld() -> Result<PathBuf> {
    if let Ok(out) = Command::new("rustc").args(["--print", "sysroot"]).output() {
        let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let lld = sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld");
        if out.status.success() && lld.exists() {
            return Ok(lld);
        }
    }
    host::find_in_path("ld.lld").context(
        "no linker for bare-metal targets: need rustup's rust-lld or `apt-get install lld`",
    )
}

/// `CARGO_TARGET_<TRIPLE>_LINKER`, cargo's per-target linker variable.
pub fn linker_env_var(target: &str) -> String {
    format!(
        "CARGO_TARGET_{}_LINKER",
        target.to_uppercase().replace(['-', '.'], "_")
    )
}

/// A `cargo build --release` of one `firmware/` package for `target`, with
/// the toolchain set up. Callers may add arguments (`--features`, ...) before
/// running it; the ELF ends up at [`firmware_elf`].
pub fn firmware_build_command(package: &str, target: &str) -> Result<Command> {
    // The cargo running xtask, so a rustup override stays in force.
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(cargo);
    cmd.current_dir(repo_root().join("firmware"))
        .env("CARGO_TARGET_DIR", firmware_target_dir())
        .args([
            "build",
            "--release",
            "--package",
            package,
            "--target",
            target,
        ]);
    if rustup_has_target(target) {
        return Ok(cmd);
    }
    // A target rustc does not ship is a JSON spec in the package's directory
    // (`x86_64-sse-none`: a hard-float bare-metal x86_64); rustc 1.96 takes
    // those only with `-Zunstable-options`.
    let package_dir = repo_root().join("firmware").join(package);
    if package_dir.join(format!("{target}.json")).is_file() {
        cmd.env("RUST_TARGET_PATH", &package_dir)
            .env("RUSTFLAGS", "-Zunstable-options");
    }
    let toolchain = ensure_cross_toolchain()?;
    // RUSTC_BOOTSTRAP lets the stable cargo and Debian's stable rustc accept
    // `-Zbuild-std`; nothing else unstable is used.
    cmd.env("RUSTC", &toolchain.rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .env(linker_env_var(target), find_lld()?)
        .args(BUILD_STD_ARGS);
    if !core_is_built(target) {
        println!("building core for {target} (first time, ~1 min)");
    }
    Ok(cmd)
}

/// Whether an earlier `-Zbuild-std` run left a `core` for `target`.
fn core_is_built(target: &str) -> bool {
    let deps = firmware_target_dir().join(target).join("release/deps");
    fs::read_dir(deps).is_ok_and(|entries| {
        entries.filter_map(|e| e.ok()).any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libcore-") && name.ends_with(".rlib")
        })
    })
}
