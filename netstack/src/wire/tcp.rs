//! (filled by this issue)
