//! The process's memory allocator and how it gives memory back to the system.

/// mimalloc rather than glibc's allocator: a newsletter send spent a third of its CPU in
/// glibc's malloc and free (large message buffers made and dropped on every thread, each
/// thread's arena locked), and glibc keeps a thread's freed memory in its own arena,
/// which with a pool of SQLite reader threads held 180 MB under the benchmark where
/// 120 MB did the same work (bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its mimalloc.h, v3), which the Rust bindings do
/// not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long memory freed inside mimalloc is kept before it goes back to the system. Its
/// default, a second, kept freed page buffers, statements and each sign-up's 19 MiB
/// Argon2 block resident while new ones were allocated: under the benchmark's mixed load
/// at 100 ms the median RSS fell from 243 to about 200 MB and the peak from 278 to about
/// 230 with the same throughput, while at 0 (every free given back at once) throughput
/// fell by a fifth (bench/RESULTS.md, 2026-12-01, fifth session). MIMALLOC_PURGE_DELAY,
/// when set, still decides.
const PURGE_DELAY_MS: std::ffi::c_long = 100;

/// Tunes the allocator before anything else runs; an operator's own `MIMALLOC_*`
/// variable for the same option still decides.
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mi_option_set only stores a number in mimalloc's option table.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        keep_to_small_pages();
    }
}

/// No transparent huge pages for this process. mimalloc asks for them on its arenas; a
/// 2 MiB page then stays resident while any of it is in use, every purge of one is
/// followed by a fault that zeroes a whole new one, and the kernel's khugepaged fills
/// partly used 2 MiB ranges back up behind the allocator. Under the benchmark's steady
/// mixed load on SQLite, 143 of 202 MB of anonymous memory was in huge pages; on small
/// pages RSS was about 55 MB lower at the same throughput (bench/RESULTS.md, 2026-12-01,
/// sixth session). mimalloc's own option (`MIMALLOC_ALLOW_THP=0`) is read when its first
/// arena is reserved, before `main` runs, so the switch is the process's: it also
/// covers what is already mapped.
fn keep_to_small_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mimalloc's option value: a plain read of its option table.
    fn option(number: libmimalloc_sys::mi_option_t) -> std::ffi::c_long {
        // SAFETY: mi_option_get only reads mimalloc's option table.
        unsafe { libmimalloc_sys::mi_option_get(number) }
    }

    /// The option number is mimalloc's purge delay (v3 ships it at 1000 ms, and no other
    /// option at that value), `tune` sets it and turns huge pages off unless the operator
    /// chose otherwise. One test, as tests in one binary share the process.
    #[test]
    fn freed_memory_goes_back_within_a_tenth_of_a_second_on_small_pages() {
        let delay_before = option(MI_OPTION_PURGE_DELAY);
        tune();
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(delay_before, 1000, "option {MI_OPTION_PURGE_DELAY} is not mimalloc's purge delay");
            assert_eq!(option(MI_OPTION_PURGE_DELAY), PURGE_DELAY_MS);
        } else {
            assert_eq!(
                option(MI_OPTION_PURGE_DELAY),
                delay_before,
                "the operator's MIMALLOC_PURGE_DELAY was overridden"
            );
        }
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
            let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
            assert!(
                status.lines().any(|l| l.split_whitespace().eq(["THP_enabled:", "0"])),
                "huge pages are still allowed for the process:\n{status}"
            );
        }
    }
}
