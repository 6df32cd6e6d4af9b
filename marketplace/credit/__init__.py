"""Credit memory (信用记录): what the platform remembers about each organisation's past performance —
outcomes (accepted, rectified, failed, terminated, clawback) and breaches (late reports, objections upheld) —
shown to officers beside the organisation's later challenges and bids, never to the public."""
