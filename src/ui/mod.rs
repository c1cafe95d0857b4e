//! The window (egui only): reads the store, sends commands; never touches a socket or file.

pub mod calls;
