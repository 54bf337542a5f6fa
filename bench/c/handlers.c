/* The handler suite in C, statement for statement the Rust suite of
 * src/suite.rs, for GCC's and Clang's __attribute__((interrupt)).
 *
 * xtask compiles this file once per compiler and target (flags in
 * xtask/src/bench/matrix.rs and compile.rs), with -DBENCH_PROBE for the builds that boot in
 * QEMU, and links the object into the firmware of the `c` feature.
 * Freestanding: only the compiler's own headers, memcpy comes from Rust's
 * compiler_builtins. */

#include <stddef.h>
#include <stdint.h>

#if defined(__riscv)
#define ISR __attribute__((interrupt("machine"), aligned(4)))
#define SSIP (1u << 1)
#define STIP (1u << 5)
#define SEIP (1u << 9)

/* The same instructions as src/probe.rs: see there. */
#ifdef BENCH_PROBE
#define PROBE_ENTRY()                                                      \
    do {                                                                   \
        uintptr_t t_;                                                      \
        __asm__ volatile("csrr %0, minstret\n\tcsrw mscratch, %0\n\t"      \
                         "csrw mtval, sp" : "=r"(t_) : : "memory");        \
    } while (0)
#define PROBE_EXIT()                                                       \
    do {                                                                   \
        uintptr_t t_;                                                      \
        __asm__ volatile("csrr %0, minstret\n\tcsrw sscratch, %0"          \
                         : "=r"(t_) : : "memory");                         \
    } while (0)
#else
#define PROBE_ENTRY() do { } while (0)
#define PROBE_EXIT() do { } while (0)
#endif
#define ACK(bit) __asm__ volatile("csrc mip, %0" : : "r"((uintptr_t)(bit)) : "memory")

#elif defined(__arm__) && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
/* Cortex-M: only disassembled. */
#define ISR __attribute__((interrupt))
#define PROBE_ENTRY() do { } while (0)
#define PROBE_EXIT() do { } while (0)
#define ACK(bit) do { } while (0)

#elif defined(__arm__)
#define ISR __attribute__((interrupt("IRQ")))
/* GICC_IAR of virt's GICv2, 0x0801000c, in halves for movw/movt. */
#define GICC_IAR_LOW "0x000c"
#define GICC_IAR_HIGH "0x0801"

/* The same instructions as src/probe.rs: see there. */
#ifdef BENCH_PROBE
#define PROBE_ENTRY()                                                      \
    __asm__ volatile("mcr p15, 0, r0, c13, c0, 4\n\t"                      \
                     "mrc p15, 0, r0, c9, c13, 2\n\t"                      \
                     "mcr p15, 0, r0, c13, c0, 2\n\t"                      \
                     "mov r0, sp\n\t"                                      \
                     "mcr p15, 0, r0, c6, c0, 0\n\t"                       \
                     "mrc p15, 0, r0, c13, c0, 4" : : : "memory")
#define PROBE_EXIT()                                                       \
    __asm__ volatile("mcr p15, 0, r0, c13, c0, 4\n\t"                      \
                     "mrc p15, 0, r0, c9, c13, 2\n\t"                      \
                     "mcr p15, 0, r0, c13, c0, 3\n\t"                      \
                     "mrc p15, 0, r0, c13, c0, 4" : : : "memory")
#else
#define PROBE_ENTRY() do { } while (0)
#define PROBE_EXIT() do { } while (0)
#endif
/* Acknowledge, then end, the interrupt at the GIC: the same instructions
 * as src/probe.rs's ack!. */
#define ACK(bit)                                                           \
    do {                                                                   \
        uint32_t a_, v_;                                                   \
        __asm__ volatile("movw %0, #" GICC_IAR_LOW "\n\t"                   \
                         "movt %0, #" GICC_IAR_HIGH "\n\t"                  \
                         "ldr %1, [%0]\n\tstr %1, [%0, #4]"                  \
                         : "=&r"(a_), "=&r"(v_) : : "memory");              \
    } while (0)

#else /* x86_64 */
struct interrupt_frame;
#define ISR __attribute__((interrupt))

/* The same instructions as src/probe.rs (there in Intel syntax). */
#ifdef BENCH_PROBE
#define PROBE_ENTRY()                                                      \
    __asm__ volatile("movq %%rax, bench_scratch(%%rip)\n\t"                \
                     "movq %%rdx, bench_scratch+8(%%rip)\n\trdtsc\n\t"     \
                     "movl %%eax, bench_at_entry(%%rip)\n\t"               \
                     "movl %%edx, bench_at_entry+4(%%rip)\n\t"             \
                     "movq %%rsp, bench_body_sp(%%rip)\n\t"                \
                     "movq bench_scratch+8(%%rip), %%rdx\n\t"              \
                     "movq bench_scratch(%%rip), %%rax" : : : "memory")
#define PROBE_EXIT()                                                       \
    __asm__ volatile("movq %%rax, bench_scratch(%%rip)\n\t"                \
                     "movq %%rdx, bench_scratch+8(%%rip)\n\trdtsc\n\t"     \
                     "movl %%eax, bench_at_exit(%%rip)\n\t"                \
                     "movl %%edx, bench_at_exit+4(%%rip)\n\t"              \
                     "movq bench_scratch+8(%%rip), %%rdx\n\t"              \
                     "movq bench_scratch(%%rip), %%rax" : : : "memory")
#else
#define PROBE_ENTRY() do { } while (0)
#define PROBE_EXIT() do { } while (0)
#endif
#define ACK(bit) do { } while (0)
#endif

void *memcpy(void *dst, const void *src, size_t n);

static volatile uintptr_t counter;
static volatile size_t len = 24;
static uint8_t src[32] = "interrupt-abi measures handlers!";
static uint8_t dst[32];

__attribute__((noinline)) static uintptr_t step(uintptr_t x) { return x * 3 + 1; }

__attribute__((noinline)) static uintptr_t fold(const uint8_t *p) {
    return (uintptr_t)p[0] + p[7] + p[15] + p[23];
}

__attribute__((noinline)) static void deep(void) {
    size_t n = len;
    memcpy(dst, src, n);
    uintptr_t sum = fold(dst);
    counter = counter + sum;
}

#if defined(__riscv) || defined(__arm__)
#define HANDLER(name) ISR void name(void)
#else
#define HANDLER(name) ISR void name(struct interrupt_frame *frame __attribute__((unused)))
#endif

HANDLER(bench_leaf) {
    PROBE_ENTRY();
    ACK(SSIP);
    counter = counter + 1;
    PROBE_EXIT();
}

HANDLER(bench_nonleaf) {
    PROBE_ENTRY();
    ACK(STIP);
    counter = step(counter);
    PROBE_EXIT();
}

HANDLER(bench_deep) {
    PROBE_ENTRY();
    ACK(SEIP);
    deep();
    PROBE_EXIT();
}

#if (defined(__riscv) && defined(__riscv_flen) && __riscv_flen >= 64) ||                 \
    (defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 8) && __ARM_ARCH_PROFILE != 'M')
static volatile double acc = 1.0;

HANDLER(bench_float) {
    PROBE_ENTRY();
    ACK(SSIP);
    acc = acc * 1.5 + 0.25;
    PROBE_EXIT();
}
#endif

#if defined(__riscv)
HANDLER(bench_nested) {
    uintptr_t epc, status;
    __asm__ volatile("csrr %0, mepc" : "=r"(epc));
    __asm__ volatile("csrr %0, mstatus" : "=r"(status));
    PROBE_ENTRY();
    ACK(STIP);
    __asm__ volatile("csrsi mstatus, 8" : : : "memory");
    counter = step(counter);
    PROBE_EXIT();
    __asm__ volatile("csrci mstatus, 8" : : : "memory");
    __asm__ volatile("csrw mepc, %0" : : "r"(epc));
    __asm__ volatile("csrw mstatus, %0" : : "r"(status));
}
#endif
