//! Decoded records in memory: append, indexes, filters, sorting.
