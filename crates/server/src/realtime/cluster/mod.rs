//! Cluster mode only (several nodes sharing PostgreSQL and Redis): the bus over Redis
//! pub/sub, the shared presence in Redis and its background tasks, and the sequencer that
//! keeps a chat's messages in order across nodes. The single-node path never touches these.

pub mod bus_redis;
pub mod presence_redis;
mod presence_tasks;
mod sequencer;
