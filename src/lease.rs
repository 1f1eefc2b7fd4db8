//! Claims that keep two runs (or two workers) off the same attempt: who holds one, and when a
//! holder may be replaced.

use std::path::Path;

use jiff::{SignedDuration, Timestamp};

/// How long a claim holds while its process is alive; a dead holder is replaced at once.
pub const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// A lease holder id: this process and a random part, so a dead holder can be recognised.
pub fn holder() -> String {
    format!(
        "{}:{:016x}",
        std::process::id(),
        getrandom::u64().unwrap_or(0)
    )
}

/// A lease may be taken over when it expired (by the real clock, not `TICKET_EXPORT_NOW`:
/// leases are about processes, not audit time) or its process on this machine is gone.
pub fn stale(holder: &str, until: Timestamp) -> bool {
    if until < Timestamp::now() {
        return true;
    }
    let pid = holder.split(':').next().and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) if cfg!(target_os = "linux") => !Path::new(&format!("/proc/{pid}")).exists(),
        _ => false,
    }
}

/// A new lease for `holder`, from now by the real clock.
pub fn lease(holder: &str) -> crate::store::Lease {
    crate::store::Lease {
        holder: holder.to_owned(),
        until: Timestamp::now() + LEASE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_is_live_and_dead_or_expired_holders_are_stale() {
        let later = Timestamp::now() + LEASE;
        assert!(!stale(&holder(), later), "this process is alive");
        assert!(
            stale(&holder(), Timestamp::now() - SignedDuration::from_secs(1)),
            "expired"
        );
        if cfg!(target_os = "linux") {
            assert!(stale("4194304999:00", later), "no such process");
        }
    }
}
