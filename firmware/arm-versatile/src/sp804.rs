//! The SP804 dual timers of `versatilepb`: timers 0/1 at 0x101E_2000 (VIC
//! line 4), timers 2/3 at 0x101E_3000 (line 5), each counting down at 1 MHz.
//!
//! Under `-icount shift=0` QEMU's virtual clock advances 1 ns per
//! instruction, so one tick is exactly 1000 instructions: the storm's
//! interrupts come every few thousand instructions, and [`Clock`] measures
//! instruction counts with a resolution of 1000 (divided down by averaging
//! over many repetitions, see `cost`).

const TIMER01: usize = 0x101e_2000;
const TIMER23: usize = 0x101e_3000;

const LOAD: usize = 0x00;
const VALUE: usize = 0x04;
const CONTROL: usize = 0x08;
const INTCLR: usize = 0x0c;

const CTRL_ONESHOT: u32 = 1 << 0;
const CTRL_32BIT: u32 = 1 << 1;
const CTRL_INTEN: u32 = 1 << 5;
const CTRL_ENABLE: u32 = 1 << 7;

/// One of the four timers.
#[derive(Debug, Clone, Copy)]
pub struct Timer(usize);

/// Timer 0: the IRQ source of the storms.
pub const TIMER0: Timer = Timer(TIMER01);
/// Timer 1: a free-running clock (its interrupt stays disabled).
pub const TIMER1: Timer = Timer(TIMER01 + 0x20);
/// Timer 2: the FIQ source of the storms.
pub const TIMER2: Timer = Timer(TIMER23);

impl Timer {
    fn write(self, offset: usize, value: u32) {
        // SAFETY: an SP804 register.
        unsafe { ((self.0 + offset) as *mut u32).write_volatile(value) }
    }

    fn read(self, offset: usize) -> u32 {
        // SAFETY: an SP804 register.
        unsafe { ((self.0 + offset) as *const u32).read_volatile() }
    }

    /// Interrupts once, `ticks` ticks from now (at least 1).
    pub fn one_shot(self, ticks: u32) {
        self.write(CONTROL, 0);
        self.write(LOAD, ticks.max(1));
        self.write(
            CONTROL,
            CTRL_ENABLE | CTRL_ONESHOT | CTRL_32BIT | CTRL_INTEN,
        );
    }

    /// Clears the timer's interrupt.
    pub fn clear(self) {
        self.write(INTCLR, 1);
    }

    /// Stops the timer.
    pub fn stop(self) {
        self.write(CONTROL, 0);
        self.clear();
    }

    /// Starts counting down from 2^32 - 1 forever, without interrupts.
    pub fn free_run(self) {
        self.write(CONTROL, 0);
        self.write(LOAD, u32::MAX);
        self.write(CONTROL, CTRL_ENABLE | CTRL_32BIT);
    }

    /// The counter (counting down).
    pub fn value(self) -> u32 {
        self.read(VALUE)
    }
}

/// Microseconds from timer 1, free running.
pub struct Clock;

impl Clock {
    pub fn start() -> Self {
        TIMER1.free_run();
        Clock
    }

    /// Ticks (µs) since `start`; wraps after 71 minutes.
    pub fn now(&self) -> u32 {
        !TIMER1.value()
    }
}

/// Address of timer 1's counter, for assembly that reads it directly.
pub const CLOCK_VALUE_ADDR: usize = TIMER01 + 0x20 + VALUE;
