//! Real-time delivery: the hub of local connections, the bus between nodes, and the two
//! WebSocket endpoints (visitor and agent) on one skeleton (`socket`, `writer`). What only
//! cluster mode (Redis) needs is in `cluster/`: a reader of the single-node path can skip it.

pub mod agent_ws;
pub mod bus;
pub mod cluster;
pub mod decode;
pub mod hub;
pub mod outbound;
pub mod presence;
pub mod replay;
pub mod socket;
pub mod visitor_ws;
pub mod writer;
