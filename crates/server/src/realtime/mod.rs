//! Real-time delivery: the hub of local connections, the bus between nodes, and the two
//! WebSocket endpoints (visitor and agent).

pub mod agent_ws;
pub mod bus;
pub mod bus_redis;
pub mod decode;
pub mod hub;
pub mod limit;
pub mod outbound;
pub mod presence;
pub mod presence_redis;
mod presence_tasks;
pub mod replay;
mod sequencer;
pub mod socket;
pub mod visitor_ws;
pub mod writer;
