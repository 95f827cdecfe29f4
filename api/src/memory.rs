//! The allocator's side of a flood. glibc raises its mmap threshold each time a large block
//! (argon2's 19 MiB per password check, an import buffer) is freed, after which such blocks
//! come from the heap and stay resident in every thread's arena: a login flood took the server
//! from 69 MB to 412 MB and it never came back (bench/hostile.sh). A fixed threshold keeps
//! large blocks mapped on their own and returned to the system when freed.

/// Blocks at least this large are mapped on their own (glibc's initial default).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Fixes the mmap threshold; a no-op off glibc.
pub fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called once at start-up,
    // before the runtime's threads exist, and a refusal (0) leaves the defaults in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
