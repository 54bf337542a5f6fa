//! The machine xtask runs on: who we are, what is on `PATH`, and Debian's
//! `apt-get` for what is missing.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// True when running as root, i.e. when `apt-get install` can work.
pub fn is_root() -> bool {
    // `id -u` instead of a libc dependency for one syscall.
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout.trim_ascii() == b"0")
}

/// Looks `name` up in `PATH`, like `command -v`.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Runs `cmd` to completion, failing with the command line if it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

/// `apt-get` with answers that never wait for a terminal.
fn apt_get() -> Command {
    let mut cmd = Command::new("apt-get");
    cmd.env("DEBIAN_FRONTEND", "noninteractive");
    cmd
}

/// Refreshes the package lists (a fresh machine may have none).
pub fn apt_update() -> Result<()> {
    run(apt_get().args(["update", "-q"]))
}

/// Installs `packages` (root only). `--no-install-recommends` keeps apt from
/// pulling in recommended packages that conflict with what is installed
/// (QEMU's recommends clash with the machine's newer `qemu-utils`), and
/// `--no-remove` makes apt refuse rather than remove a package the user has.
pub fn apt_install(packages: &[&str]) -> Result<()> {
    let mut cmd = apt_install_command(packages);
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if out.status.success() {
        return Ok(());
    }
    let log = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    // apt names what it would have had to remove, or which dependency conflicts.
    let why: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("REMOVED")
                || l.contains("Conflicts")
                || l.contains("Breaks")
                || l.contains("Depends")
                || l.starts_with("E:")
                || l.starts_with("  ")
        })
        .collect();
    bail!(
        "`apt-get install {}` refused (it never removes installed packages here): {}\n\
         install them by hand once the conflict is resolved",
        packages.join(" "),
        if why.is_empty() {
            log.trim().to_string()
        } else {
            why.join("\n")
        }
    )
}

fn apt_install_command(packages: &[&str]) -> Command {
    let mut cmd = apt_get();
    cmd.args([
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "--no-remove",
    ])
    .args(packages);
    cmd
}

/// Downloads the `.deb`s of `packages` into `dir` without installing them
/// (needs no root). Refreshes the package lists once if apt does not know a
/// package yet and we may do so.
pub fn apt_download(packages: &[&str], dir: &Path) -> Result<()> {
    let download = || {
        let mut cmd = apt_get();
        if is_root() {
            // apt drops to user `_apt` to download, who cannot write into a
            // root-owned work tree: download as root without the warning.
            cmd.args(["-o", "APT::Sandbox::User=root"]);
        }
        run(cmd.arg("download").args(packages).current_dir(dir))
    };
    if download().is_ok() {
        return Ok(());
    }
    if is_root() {
        println!("apt-get download failed; refreshing the package lists and retrying");
        apt_update()?;
        if download().is_ok() {
            return Ok(());
        }
    }
    bail!(
        "could not download the Debian packages {} with `apt-get download` into {}; \
         check that apt can reach Debian's bookworm and bookworm-security archives \
         (`apt-cache policy {}`)",
        packages.join(" "),
        dir.display(),
        packages[0],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_never_remove_packages() {
        let cmd = apt_install_command(&["qemu-system-misc"]);
        let args: Vec<_> = cmd.get_args().collect();
        assert!(args.contains(&"--no-remove".as_ref()), "{args:?}");
        assert!(
            args.contains(&"--no-install-recommends".as_ref()),
            "{args:?}"
        );
        assert_eq!(args.last(), Some(&"qemu-system-misc".as_ref()));
    }
}
