//! Open sockets per client IP address, with a cap (`limits.visitor_sockets_per_ip`).

use dashmap::DashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Open sockets per IP address.
#[derive(Default)]
pub struct SocketCounter {
    counts: DashMap<IpAddr, usize>,
}

/// Holds one socket's place; gives it back on drop.
pub struct SocketSlot {
    counter: Arc<SocketCounter>,
    ip: IpAddr,
}

impl SocketCounter {
    fn acquire(&self, ip: IpAddr, max: usize) -> bool {
        let mut n = self.counts.entry(ip).or_insert(0);
        if *n >= max {
            return false;
        }
        *n += 1;
        true
    }
    fn release(&self, ip: IpAddr) {
        if let Some(mut n) = self.counts.get_mut(&ip) {
            *n = n.saturating_sub(1);
        }
        self.counts.remove_if(&ip, |_, n| *n == 0);
    }
}

impl SocketSlot {
    /// A slot for a new socket from `ip`, or None when the IP has `max` open already.
    pub fn acquire(counter: &Arc<SocketCounter>, ip: IpAddr, max: usize) -> Option<SocketSlot> {
        counter.acquire(ip, max).then(|| SocketSlot {
            counter: counter.clone(),
            ip,
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        self.counter.release(self.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_per_ip_and_given_back_on_drop() {
        let counter = Arc::new(SocketCounter::default());
        let ip: IpAddr = "203.0.113.1".parse().expect("ip");
        let other: IpAddr = "203.0.113.2".parse().expect("ip");
        let a = SocketSlot::acquire(&counter, ip, 2);
        let b = SocketSlot::acquire(&counter, ip, 2);
        assert!(a.is_some() && b.is_some());
        assert!(
            SocketSlot::acquire(&counter, ip, 2).is_none(),
            "the IP is at 2"
        );
        assert!(
            SocketSlot::acquire(&counter, other, 2).is_some(),
            "another IP is not"
        );
        drop(a);
        assert!(
            SocketSlot::acquire(&counter, ip, 2).is_some(),
            "a slot came back"
        );
        drop(b);
        assert!(counter.counts.is_empty(), "no open socket, no entry");
    }
}
