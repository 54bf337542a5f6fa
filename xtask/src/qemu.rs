//! QEMU: installing it from Debian and running firmware under a hard timeout.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::host;

/// The emulators the firmware tests use.
const QEMU_BINARIES: &[&str] = &[
    "qemu-system-riscv32",
    "qemu-system-riscv64",
    "qemu-system-x86_64",
    "qemu-system-i386",
    "qemu-system-arm",
    "qemu-system-aarch64",
];

/// Debian packages providing [`QEMU_BINARIES`].
const QEMU_PACKAGES: &[&str] = &["qemu-system-misc", "qemu-system-arm", "qemu-system-x86"];

/// Makes sure every emulator in [`QEMU_BINARIES`] is on `PATH`, installing
/// Debian's QEMU when we are root.
pub fn ensure_qemu() -> Result<()> {
    let missing: Vec<&str> = QEMU_BINARIES
        .iter()
        .copied()
        .filter(|bin| host::find_in_path(bin).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !host::is_root() {
        bail!(
            "{} not found; install them as root with \
             `apt-get install --no-install-recommends {}`",
            missing.join(", "),
            QEMU_PACKAGES.join(" "),
        );
    }
    println!("installing QEMU ({})", QEMU_PACKAGES.join(" "));
    host::apt_update()?;
    host::apt_install(QEMU_PACKAGES)?;
    if let Some(bin) = missing.iter().find(|bin| host::find_in_path(bin).is_none()) {
        bail!(
            "{bin} is still missing after installing {}",
            QEMU_PACKAGES.join(" ")
        );
    }
    Ok(())
}

/// What a QEMU run did.
#[derive(Debug, Clone)]
pub struct QemuOutcome {
    /// QEMU's exit code; `None` if it was killed (timeout or signal).
    pub exit_code: Option<i32>,
    /// True when the run hit its timeout and was killed.
    pub timed_out: bool,
    /// Serial console output (`-nographic` puts it on stdout).
    pub stdout: String,
    /// QEMU's own diagnostics.
    pub stderr: String,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl QemuOutcome {
    /// True when QEMU exited by itself with `status`: 0, or another one on
    /// machines whose exit device cannot produce 0 (x86's `isa-debug-exit`).
    pub fn passed_with(&self, status: i32) -> bool {
        !self.timed_out && self.exit_code == Some(status)
    }

    /// `Ok` if [`passed_with`](Self::passed_with) `status`, else an error
    /// carrying all output.
    pub fn check_with(&self, status: i32) -> Result<()> {
        if self.passed_with(status) {
            return Ok(());
        }
        let how = match (self.timed_out, self.exit_code) {
            (true, _) => format!("timed out after {:.1?}", self.elapsed),
            (false, Some(code)) => format!("exited with status {code}"),
            (false, None) => "was killed by a signal".to_string(),
        };
        bail!(
            "QEMU {how}\n--- serial ---\n{}\n--- stderr ---\n{}",
            self.stdout,
            self.stderr
        )
    }
}

/// Runs `binary` (e.g. `qemu-system-riscv32`) with `args`, capturing its
/// output, and kills it once `timeout` has passed: firmware that hangs must
/// not hang the test run.
pub fn run_qemu<I, S>(binary: &str, args: I, timeout: Duration) -> Result<QemuOutcome>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let start = Instant::now();
    let mut child = Command::new(binary)
        .args(args)
        // No terminal: QEMU must not wait for or echo keyboard input.
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Boards with sound hardware (ARM) must not open the host's audio.
        .env("QEMU_AUDIO_DRV", "none")
        .spawn()
        .with_context(|| format!("cannot start {binary}"))?;
    // Read both pipes while waiting, so a chatty guest cannot block on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let (status, timed_out) = wait_with_timeout(&mut child, timeout)?;
    Ok(QemuOutcome {
        exit_code: status.code(),
        timed_out,
        stdout: join_output(stdout),
        stderr: join_output(stderr),
        elapsed: start.elapsed(),
    })
}

/// Waits for `child` until `timeout`, then kills it. Returns its status and
/// whether it had to be killed.
fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Result<(ExitStatus, bool)> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, false));
        }
        if Instant::now() >= deadline {
            // Kill by our own child handle (SIGKILL), then reap it.
            child.kill()?;
            return Ok((child.wait()?, true));
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // A read error just ends the capture; whatever arrived is kept.
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

fn join_output(reader: JoinHandle<Vec<u8>>) -> String {
    String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned()
}

/// QEMU binary and arguments that boot `firmware/riscv-virt` built for
/// `target` on the `virt` board: M-mode, no OpenSBI, serial on stdout.
pub fn riscv_virt_command(target: &str, elf: &Path) -> Result<(&'static str, Vec<String>)> {
    let binary = if target.starts_with("riscv32") {
        "qemu-system-riscv32"
    } else if target.starts_with("riscv64") {
        "qemu-system-riscv64"
    } else {
        bail!("{target} is not a RISC-V target");
    };
    let mut args: Vec<String> = ["-M", "virt", "-bios", "none", "-nographic"]
        .map(String::from)
        .into();
    if target.starts_with("riscv32e") {
        // An RV32E hart; QEMU 7.2 refuses `e=true` while the default H
        // extension is on. It does not trap on x16-x31, so this proves the code
        // boots on RV32E, not that it avoids the upper registers.
        args.extend(["-cpu", "rv32,i=false,e=true,h=false"].map(String::from));
    }
    args.push("-kernel".into());
    args.push(elf.display().to_string());
    Ok((binary, args))
}

/// Exit status of an x86 PC firmware that passed: it writes 0x10 to
/// `isa-debug-exit`, which exits QEMU with `(0x10 << 1) | 1`.
pub const X86_PC_PASS_STATUS: i32 = 33;

/// QEMU binary and arguments that boot `firmware/x86-pc` built for `target`
/// on the PC machine: `-kernel` loads the ELF (PVH note on x86_64,
/// multiboot header on 32-bit x86), COM1 on stdout, the exit device at
/// port 0xf4, no network card (its option ROM would only slow the boot).
pub fn x86_pc_command(target: &str, elf: &Path) -> Result<(&'static str, Vec<String>)> {
    let binary = if target.starts_with("x86_64") {
        "qemu-system-x86_64"
    } else if target.starts_with("i686") || target.starts_with("i586") {
        "qemu-system-i386"
    } else {
        bail!("{target} is not an x86 target");
    };
    let mut args: Vec<String> = [
        "-nographic",
        "-no-reboot",
        "-nic",
        "none",
        "-device",
        "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-kernel",
    ]
    .map(String::from)
    .into();
    args.push(elf.display().to_string());
    Ok((binary, args))
}

/// QEMU binary and arguments that boot a classic-ARM firmware ELF on
/// `board` (`versatilepb`: RAM and vectors at 0; `virt`: RAM at
/// 0x4000_0000): `-kernel` loads the ELF at its link addresses and starts it
/// in SVC mode, the UART is on stdout, and semihosting is on for the exit
/// status (`SYS_EXIT_EXTENDED`). The CPU comes with the matrix entry's
/// arguments (`-cpu arm926`, ...).
pub fn arm_command(board: &str, elf: &Path) -> Result<(&'static str, Vec<String>)> {
    Ok((
        "qemu-system-arm",
        semihosting_kernel_args(&["-M", board], elf),
    ))
}

/// QEMU binary and arguments that boot `firmware/aarch64-virt`: `-M virt`
/// with a Cortex-A53 (further machine options, e.g. `gic-version=3`, merge
/// in from a second `-M`), `-kernel` loading the ELF at its link address
/// (it starts at EL1, or EL2 with `virtualization=on`), the PL011 on stdout
/// and semihosting for the exit status.
pub fn aarch64_virt_command(elf: &Path) -> Result<(&'static str, Vec<String>)> {
    let machine = ["-M", "virt", "-cpu", "cortex-a53"];
    Ok((
        "qemu-system-aarch64",
        semihosting_kernel_args(&machine, elf),
    ))
}

/// `machine` options, the console on stdout, semihosting on (the firmware
/// exits through it with its status) and `-kernel elf`.
fn semihosting_kernel_args(machine: &[&str], elf: &Path) -> Vec<String> {
    let mut args: Vec<String> = machine.iter().map(|a| a.to_string()).collect();
    args.extend(
        [
            "-nographic",
            "-semihosting-config",
            "enable=on,target=native",
            "-kernel",
        ]
        .map(String::from),
    );
    args.push(elf.display().to_string());
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hung_guest_is_killed_at_the_timeout() {
        if host::find_in_path("qemu-system-riscv32").is_none() {
            eprintln!("skipped: qemu-system-riscv32 is not installed");
            return;
        }
        // No kernel: the hart runs into empty RAM and traps forever.
        let args = ["-M", "virt", "-bios", "none", "-nographic"];
        let outcome = run_qemu("qemu-system-riscv32", args, Duration::from_millis(500)).unwrap();
        assert!(outcome.timed_out);
        assert!(!outcome.passed_with(0));
        assert!(
            outcome.elapsed < Duration::from_secs(5),
            "{:?}",
            outcome.elapsed
        );
        assert!(outcome.check_with(0).is_err());
    }

    #[test]
    fn riscv_virt_picks_the_emulator_and_cpu() {
        let elf = Path::new("fw.elf");
        let (bin, args) = riscv_virt_command("riscv64gc-unknown-none-elf", elf).unwrap();
        assert_eq!(bin, "qemu-system-riscv64");
        assert!(!args.contains(&"-cpu".to_string()));
        let (bin, args) = riscv_virt_command("riscv32e-unknown-none-elf", elf).unwrap();
        assert_eq!(bin, "qemu-system-riscv32");
        assert!(args.contains(&"rv32,i=false,e=true,h=false".to_string()));
        assert!(riscv_virt_command("x86_64-unknown-none", elf).is_err());
    }

    #[test]
    fn x86_pc_picks_the_emulator() {
        let elf = Path::new("fw.elf");
        let (bin, args) = x86_pc_command("x86_64-unknown-none", elf).unwrap();
        assert_eq!(bin, "qemu-system-x86_64");
        assert!(args.contains(&"isa-debug-exit,iobase=0xf4,iosize=0x04".to_string()));
        assert_eq!(args.last().unwrap(), "fw.elf");
        let (bin, _) = x86_pc_command("i686-unknown-linux-gnu", elf).unwrap();
        assert_eq!(bin, "qemu-system-i386");
        assert!(x86_pc_command("riscv64gc-unknown-none-elf", elf).is_err());
    }

    #[test]
    fn arm_boards_boot_the_elf_with_semihosting() {
        let (bin, args) = arm_command("versatilepb", Path::new("fw.elf")).unwrap();
        assert_eq!(bin, "qemu-system-arm");
        assert!(args.contains(&"enable=on,target=native".to_string()));
        assert_eq!(args[..2], ["-M", "versatilepb"]);
        assert_eq!(args.last().unwrap(), "fw.elf");
    }

    #[test]
    fn a_pass_status_other_than_zero() {
        let outcome = QemuOutcome {
            exit_code: Some(X86_PC_PASS_STATUS),
            timed_out: false,
            stdout: String::new(),
            stderr: String::new(),
            elapsed: Duration::ZERO,
        };
        assert!(outcome.passed_with(X86_PC_PASS_STATUS));
        assert!(!outcome.passed_with(0));
        assert!(outcome.check_with(X86_PC_PASS_STATUS).is_ok());
        assert!(outcome.check_with(0).is_err());
    }
}
