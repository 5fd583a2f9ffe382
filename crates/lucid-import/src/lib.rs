//! Transcript importers (being written).
