"""Learning materials (tài liệu, học liệu): guides the commune and the province publish to their teams."""
