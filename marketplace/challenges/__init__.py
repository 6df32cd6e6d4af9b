"""Challenges (榜单): posing, review, publication, discovery, clarifications, attachments."""
