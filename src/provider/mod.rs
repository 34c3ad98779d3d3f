//! The Zenlayer provider: its configuration, `zenlayer_nic_attachment`, plan checks, the one
//! catalogue of readable messages per API code, and waiters. Knows nothing of gRPC.
