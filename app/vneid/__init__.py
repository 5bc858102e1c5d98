"""Coordination with the commune police on VNeID (Đề án 06, plan 004): what their keys changed."""
