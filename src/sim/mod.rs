//! zenlayer-sim: a local Zenlayer ZEC API with the same wire contract as the real one, for the
//! quickstart, the scenario tests and offline plans. Shares only `zenlayer::{models, codes}`
//! with the client.
