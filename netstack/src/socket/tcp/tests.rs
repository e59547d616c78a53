//! Unit tests of single segments against the RFC.
