//! The PBX simulator: realistic SMDR traffic for every protocol (demo mode and tests).
