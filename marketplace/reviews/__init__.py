"""Expert review, decision and 公示 (issue 10; rules and worked examples in shared/REVIEW.md)."""
