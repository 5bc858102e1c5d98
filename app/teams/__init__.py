"""Community digital technology teams (Tổ CNSCĐ) of a commune or a village."""
