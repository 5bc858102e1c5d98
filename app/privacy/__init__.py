"""Personal data as Law 91/2025/QH15 asks: who read it (the access log), a data subject's requests
(everything held about a household; erasure), consent, retention."""
