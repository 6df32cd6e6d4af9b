"""Company opinion, the decision, 公示 batches, objections, finalisation and feedback (issue 10)."""
