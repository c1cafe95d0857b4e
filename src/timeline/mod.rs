//! App Suite events → calls; ring-in pairing for 5000; answer/abandon statistics.
