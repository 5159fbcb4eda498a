//! Webhooks that outlive a process killed with SIGKILL, and three nodes delivering each event
//! exactly once.
