//! Sign-in throttles (`limits.login_per_ip`, `limits.login_per_account`).

use super::rate::limiter;
use crate::config::Limits;
use dashmap::DashMap;
use governor::DefaultDirectRateLimiter;
use std::net::IpAddr;

/// Sign-in attempts per client IP address and per account (email, case-insensitive).
#[derive(Default)]
pub struct LoginLimiter {
    per_ip: DashMap<IpAddr, DefaultDirectRateLimiter>,
    per_account: DashMap<String, DefaultDirectRateLimiter>,
}

impl LoginLimiter {
    /// Counts one attempt against both buckets; true when both let it through.
    pub fn allow(&self, limits: &Limits, ip: IpAddr, email: &str) -> bool {
        let ip_ok = self
            .per_ip
            .entry(ip)
            .or_insert_with(|| limiter(limits.login_per_ip))
            .check()
            .is_ok();
        let account_ok = self
            .per_account
            .entry(email.to_lowercase())
            .or_insert_with(|| limiter(limits.login_per_account))
            .check()
            .is_ok();
        ip_ok && account_ok
    }
}
