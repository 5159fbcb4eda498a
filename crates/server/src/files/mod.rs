//! What the server does with an uploaded file's content beyond the core's type check:
//! raster images are decoded within limits (pixel floods refused) and re-encoded as a
//! thumbnail. See `frontdesk_core::files` for the type check and the policy.

pub mod image;
