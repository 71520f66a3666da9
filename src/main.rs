//! The `evx` binary: parse arguments, run, exit 0/1/2. Everything else lives in the library.

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: the pipeline makes millions of small, short-lived allocations across threads,
/// where it is markedly faster than the system allocator and returns memory more promptly.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` option enum (the Rust bindings name
/// only some options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    purge_freed_memory_after_100_ms();
    no_transparent_huge_pages();
    let cli = match evx::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(evx::cli::exit::USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    evx::cli::run(cli)
}

/// mimalloc asks for transparent huge pages on its arenas, and its purges hand memory back in
/// 64 KiB pieces: every reuse of a purged piece then faults in and zeroes a whole 2 MiB page.
/// On the large benchmark bundle that was 1.8 GB of huge pages zeroed for a 1.2 GB peak, and
/// fresh memory is expensive on a VM. With 4 KiB pages only what is touched is zeroed (mean of
/// 6, alternating): large bundle 10.05 -> 9.16 s, system time 4.2 -> 1.8 s, peak 1,181 ->
/// 1,118 MiB; medium 2.03 -> 1.71 s, peak 358 -> 315 MiB.
/// (mimalloc's own `allow_thp` option is read before `main` runs: too late to set here.)
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only this process's policy
    // for page faults to come; it cannot invalidate any memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// While loading, evx frees and reallocates memory constantly, and mimalloc hands freed memory
/// back to the OS only after a purge delay (1,000 ms by default in the bundled mimalloc 3).
/// Memory handed back and reused page-faults in again; memory kept raises the peak. Measured on
/// the large benchmark bundle (2026-11-25, no huge pages, alternating runs): 100 ms keeps the
/// time of 1,000 ms with a peak 260 MiB lower; 10 ms saves another 50 MiB but costs 0.5 s;
/// never handing memory back raised the peak by a third.
fn purge_freed_memory_after_100_ms() {
    const PURGE_DELAY_MS: std::ffi::c_long = 100;
    // SAFETY: sets a plain integer option before any other thread exists; mimalloc documents
    // `mi_option_set` as callable at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    debug_assert_eq!(
        unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
        PURGE_DELAY_MS
    );
}
